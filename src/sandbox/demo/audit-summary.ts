import { allPairs } from '../../audit/query';
import type { AuditSettings } from '../../audit/settings';
import type { AuditPair } from '../../audit/types';
import type { Store } from '../../store/types';
import type { Write } from './report';

const label = (p: AuditPair) => `${p.ticket.vendor} #${p.ticket.id}${p.issue ? ` / ${p.issue.key}` : ''}`;

/**
 * The demo's last word: the CS leads' audit (A1) of what the scenarios left behind, and where
 * to open it. Read from the store as the page and the CLI read it.
 */
export async function printAudit(write: Write, opts: { store: Store; settings: AuditSettings; now: Date; url: string; token: string; databaseUrl: string; serving: boolean }): Promise<AuditPair[]> {
  const pairs: AuditPair[] = [];
  for await (const p of allPairs(opts.store, {}, opts.settings, opts.now)) pairs.push(p);
  const needing = pairs.filter((p) => p.problems.length > 0);
  write('');
  write(`Audit for CS leads (A1): ${pairs.length} linked pair(s), ${needing.length} needing attention`);
  for (const p of pairs) {
    const problems = p.problems.map((x) => `${x.ruleId} ${x.text}`).join('; ');
    write(`  ${label(p).padEnd(28)} ${problems || 'in good order'}`);
  }
  write(`  the audit page  ${opts.url}/audit   (token ${opts.token}${opts.serving ? '' : '; run the demo without --once to open it'})`);
  write(`  in a terminal   DATABASE_URL='${opts.databaseUrl}' npm run cli -- audit --problems`);
  return pairs;
}
