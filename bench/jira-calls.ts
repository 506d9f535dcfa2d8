/**
 * Benchmark: vendor API calls per ticket raised to Jira on the happy path (rules J1-J4), with
 * the sandboxes and a real helpdesk-sync on loopback. Each ticket arrives already tagged
 * jira-bug with steps, impact and environment, so one webhook raises it. Calls are counted by
 * the sandboxes, split into the raise itself (from the webhook to the last write) and the echo
 * (reads caused by the webhooks of helpdesk-sync's own writes, until rule M5 skips them).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load';
import { createLogger } from '../src/logging/logger';
import { startService } from '../src/server';
import { FreshdeskAgent, ZendeskAgent } from '../src/sandbox/demo/actors';
import { FRESHDESK_AGENTS, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS, ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../src/sandbox/seed-people';
import { INTEGRATION_ACTORS, startSandboxes, type Sandboxes } from '../src/sandbox/world';
import type { CallRecord } from '../src/sandbox/core/call-counter';
import { quiet } from './settle';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 10);
const DESCRIPTION =
  '<p>Invoice export stops after a minute.</p><p><b>Steps to reproduce:</b><br>1. Billing<br>2. Export as PDF</p>' +
  '<p><b>Impact:</b> finance cannot send invoices</p><p><b>Environment:</b> production EU, Chrome 131</p>';

// Distinct problems: the same requester with similar subjects would rightly be flagged as
// possible duplicates (T4), which is not the happy path this figure is about.
const SUBJECTS = [
  'Invoice export times out',
  'Dashboard shows yesterday twice',
  'Password reset mail never arrives',
  'Meter readings rounded wrongly',
  'CSV import rejects semicolons',
  'Mobile app crashes on login',
  'Tariff change not applied',
  'Report PDF missing logo',
  'Alerts sent to removed users',
  'Search ignores accented names',
  'Weekly summary arrives empty',
  'API token page loops',
];
const subjectFor = (vendor: string, n: number) => `${SUBJECTS[n % SUBJECTS.length]} (${vendor} run ${n})`;

function ours(s: Sandboxes, since: number): CallRecord[] {
  return (['freshdesk', 'zendesk', 'jira'] as const)
    .flatMap((v) => s[v].http.calls.since(since, { actor: INTEGRATION_ACTORS[v] }).map((c) => ({ ...c, endpoint: `${v} ${c.endpoint}` })))
    .sort((a, b) => a.at - b.at);
}

/**
 * The raise is the helpdesk reads before the first write plus every write. The rest are echoes:
 * reads caused by the webhooks of our own writes (Jira's issue_created, the ticket's note), which
 * another worker slot may process while the raise is still writing.
 */
function split(calls: CallRecord[]): { raise: CallRecord[]; echo: CallRecord[] } {
  const firstWrite = calls.findIndex((c) => c.method !== 'GET');
  const isRaise = (c: CallRecord, i: number) => c.method !== 'GET' || (i < firstWrite && !c.endpoint.startsWith('jira'));
  return { raise: calls.filter(isRaise), echo: calls.filter((c, i) => !isRaise(c, i)) };
}

async function main(): Promise<void> {
  const s = await startSandboxes({ webhookRetryDelayMs: 20 });
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-bench-'));
  const loaded = loadConfig({ env: { ...s.env, DATABASE_URL: path.join(dir, 'bench.db'), PORT: '0', LOG_LEVEL: 'silent' } });
  const service = await startService(loaded, { logger: createLogger({ level: 'silent' }), host: '127.0.0.1' });
  s.connect(service.url);
  const sam = new FreshdeskAgent(s.urls.freshdesk, FRESHDESK_AGENTS.samOrtiz.apiKey);
  const dana = new ZendeskAgent(s.urls.zendesk, ZENDESK_AGENTS.danaFox.email, ZENDESK_AGENTS.danaFox.apiKey);
  const raiseFreshdesk = (n: number) =>
    sam.createTicket({
      email: FRESHDESK_REQUESTERS.ana.email,
      subject: subjectFor('fd', n),
      description: DESCRIPTION,
      priority: 3,
      status: 2,
      responder_id: FRESHDESK_AGENTS.samOrtiz.id,
      group_id: FRESHDESK_GROUPS.clientSuccess.id,
      tags: ['jira-bug'],
    });
  const raiseZendesk = (n: number) =>
    dana.createTicket({
      subject: subjectFor('zd', n),
      comment: { html_body: DESCRIPTION, public: true },
      requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
      group_id: ZENDESK_GROUPS.aegentTier1.id,
      assignee_id: ZENDESK_AGENTS.danaFox.id,
      tags: ['jira-bug'],
    });

  const lines: string[] = [];
  for (const [name, raise] of [
    ['Freshdesk', raiseFreshdesk],
    ['Zendesk', raiseZendesk],
  ] as const) {
    // One ticket first, not counted: it warms per-process caches (Freshdesk agent names).
    await raise(0);
    await quiet(s, service);
    const raiseCounts: number[] = [];
    const echoCounts: number[] = [];
    let breakdown: Record<string, number> = {};
    const started = Date.now();
    for (let n = 1; n <= TICKETS; n += 1) {
      const since = Date.now();
      await raise(n);
      await quiet(s, service);
      const { raise: r, echo } = split(ours(s, since));
      raiseCounts.push(r.length);
      echoCounts.push(echo.length);
      breakdown = {};
      for (const c of r) breakdown[`${c.method} ${c.endpoint}`] = (breakdown[`${c.method} ${c.endpoint}`] ?? 0) + 1;
    }
    const ms = Date.now() - started;
    const max = Math.max(...raiseCounts);
    const avg = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1);
    lines.push(`${name}: ${TICKETS} tickets raised; calls per raise: max ${max}, mean ${avg(raiseCounts)}; echo reads per raise: mean ${avg(echoCounts)}; ${(ms / TICKETS).toFixed(0)} ms per ticket end to end`);
    lines.push(`  one raise: ${Object.entries(breakdown).map(([k, v]) => `${v} × ${k}`).join(', ')}`);
  }
  const issues = [...s.jira.state.issues.values()].filter((i) => i.creatorId.startsWith('712020')).length;
  lines.push(`Jira issues created: ${issues} for ${2 * (TICKETS + 1)} tickets (one each)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  s.connect(null);
  await service.stop();
  await s.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
