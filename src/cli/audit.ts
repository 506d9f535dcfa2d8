import Table from 'cli-table3';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { LoadedConfig } from '../config/load';
import { CANONICAL_STATUSES, HELPDESK_VENDORS, type CanonicalStatus, type HelpdeskVendor } from '../domain/ticket';
import { csvHeader, csvRow } from '../audit/csv';
import { paramsError, linksParams, toAuditQuery } from '../audit/params';
import { allPairs } from '../audit/query';
import { auditSettings } from '../audit/settings';
import type { AuditPair } from '../audit/types';
import { openStore } from '../store/open-store';

export interface AuditCliOptions {
  format: 'table' | 'json' | 'csv';
  vendor?: HelpdeskVendor;
  connection?: string;
  from?: string;
  to?: string;
  status?: CanonicalStatus;
  rule?: string;
  problems?: boolean;
  failOnProblems?: boolean;
}

export interface AuditCliResult {
  pairs: number;
  withProblems: number;
}

const SLA_WORDS: Record<string, string> = { breached: 'BREACHED', met_late: 'met late', running: 'running', paused: 'paused', met: 'met' };

function tableRow(p: AuditPair): string[] {
  const c = p.completeness;
  const present = c.sections.filter((s) => s.present).length;
  return [
    `${p.ticket.vendor}/${p.ticket.connectionId} #${p.ticket.id}${p.ticket.subject ? `\n${p.ticket.subject}` : ''}`,
    p.issue ? `${p.issue.key}\n${p.issue.status ?? '?'}` : 'raising…',
    p.ticket.status ?? '?',
    `${present}/${c.sections.length}${c.needsInfo ? `\nneeds ${c.missing.join(', ')}` : ''}`,
    p.sla?.worst ? (SLA_WORDS[p.sla.worst] ?? p.sla.worst) : '-',
    p.owner ? (p.owner.name ?? p.owner.id) : '-',
    String(p.trail.roundTrips),
    p.problems.length ? p.problems.map((x) => `${x.ruleId} ${x.text}`).join('\n') : 'ok',
  ];
}

/**
 * `helpdesk-sync audit`: A1 from the store, as a table for a person, JSON or CSV for scripts.
 * It reads the store directly (no token: whoever runs it can read the database anyway).
 */
export async function runAudit(loaded: LoadedConfig, opts: AuditCliOptions, write: (text: string) => void, now = new Date()): Promise<AuditCliResult> {
  const params = linksParams.omit({ cursor: true, limit: true }).safeParse({ vendor: opts.vendor, connection: opts.connection, from: opts.from, to: opts.to, status: opts.status, rule: opts.rule, problems: opts.problems });
  if (!params.success) throw new InvalidArgumentError(paramsError(params.error).replace(/query parameter (\w+)/g, '--$1'));
  const query = toAuditQuery(params.data);
  const settings = auditSettings(loaded.config);
  const store = openStore(loaded.config.database.url);
  const result: AuditCliResult = { pairs: 0, withProblems: 0 };
  const table = new Table({ head: ['Ticket', 'Jira', 'Status', 'Content (J2/J5)', 'SLA', 'Owner', 'Trips', 'Problems'], style: { head: [], border: [] }, wordWrap: true });
  try {
    if (opts.format === 'csv') write(csvHeader());
    if (opts.format === 'json') write('[');
    for await (const pair of allPairs(store, query, settings, now)) {
      if (opts.format === 'json') write(`${result.pairs ? ',' : ''}\n${JSON.stringify(pair)}`);
      else if (opts.format === 'csv') write(csvRow(pair));
      else table.push(tableRow(pair));
      result.pairs += 1;
      if (pair.problems.length) result.withProblems += 1;
    }
    if (opts.format === 'json') write(`${result.pairs ? '\n' : ''}]\n`);
    if (opts.format === 'table') {
      if (result.pairs) write(`${table.toString()}\n`);
      const what = query.problemsOnly ? 'pair(s) needing attention' : 'linked pair(s)';
      write(`${result.pairs} ${what}${query.problemsOnly ? '' : `, ${result.withProblems} with problems`}.\n`);
    }
  } finally {
    await store.close();
  }
  return result;
}

export function registerAuditCommand(program: Command, deps: { load: () => LoadedConfig }): void {
  program
    .command('audit')
    .description('every linked pair: Jira content, drift, SLA, handoff trail, violations, knowledge gaps (A1)')
    .addOption(new Option('--format <format>', 'table for people; json or csv for scripts').choices(['table', 'json', 'csv']).default('table'))
    .addOption(new Option('--vendor <vendor>', 'only this helpdesk').choices([...HELPDESK_VENDORS]))
    .option('--connection <id>', 'only this connection')
    .option('--from <date>', 'linked on or after (2026-03-01 or an ISO time)')
    .option('--to <date>', 'linked on or before (a date includes its whole day)')
    .addOption(new Option('--status <status>', "the ticket's status").choices([...CANONICAL_STATUSES]))
    .option('--rule <id>', 'only pairs with a violation of this rule (E2, H3 ...)')
    .option('--problems', 'only the pairs that need a lead\'s attention')
    .option('--fail-on-problems', 'exit 1 when any pair has a problem (for a scheduled check)')
    .action(async (opts: AuditCliOptions) => {
      const result = await runAudit(deps.load(), opts, (text) => process.stdout.write(text));
      if (opts.failOnProblems && result.withProblems > 0) {
        process.stderr.write(`${result.withProblems} pair(s) need attention.\n`);
        process.exitCode = 1;
      }
    });
}
