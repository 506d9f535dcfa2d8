/**
 * Benchmark: vendor API calls per mirrored comment, each way (rules M1, M3, M5), with the
 * sandboxes and a real helpdesk-sync on loopback. A ticket of each helpdesk is linked to a Jira
 * issue first; then comments are made one at a time, and after each the calls helpdesk-sync
 * made are split into the read of the real change, the write that mirrors it, and the echo:
 * whatever our own write's webhook cost when it came back (goal: 1 write, no echo read).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load';
import { createLogger } from '../src/logging/logger';
import { startService } from '../src/server';
import { FreshdeskAgent, JiraUser, ZendeskAgent } from '../src/sandbox/demo/actors';
import { sandboxPolicyYaml } from '../src/sandbox/policy-roles';
import { FRESHDESK_AGENTS, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS, JIRA_USERS, ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../src/sandbox/seed-people';
import { INTEGRATION_ACTORS, startSandboxes, type Sandboxes } from '../src/sandbox/world';
import type { CallRecord } from '../src/sandbox/core/call-counter';
import { quiet } from './settle';

const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 10);
const DESCRIPTION =
  '<p>Invoice export stops after a minute.</p><p><b>Steps to reproduce:</b><br>1. Billing<br>2. Export as PDF</p>' +
  '<p><b>Impact:</b> finance cannot send invoices</p><p><b>Environment:</b> production EU, Chrome 131</p>';

function ours(s: Sandboxes, since: number): Array<CallRecord & { vendor: string }> {
  return (['freshdesk', 'zendesk', 'jira'] as const)
    .flatMap((v) => s[v].http.calls.since(since, { actor: INTEGRATION_ACTORS[v] }).map((c) => ({ ...c, vendor: v })))
    .sort((a, b) => a.at - b.at);
}

interface Tally {
  reads: number[];
  writes: number[];
  echoReads: number[];
}

/**
 * Calls after one comment on `from`: reads of `from` are the real change (Jira sends two
 * webhooks per comment, so a second read may follow when the second arrives after the first
 * fetch began); writes anywhere are the mirror; reads of the side we wrote to, after the write,
 * are what our write's echo cost.
 */
function tally(calls: Array<CallRecord & { vendor: string }>, from: string, into: Tally): void {
  const firstWrite = calls.findIndex((c) => c.method !== 'GET');
  into.writes.push(calls.filter((c) => c.method !== 'GET').length);
  into.reads.push(calls.filter((c) => c.method === 'GET' && c.vendor === from).length);
  into.echoReads.push(calls.filter((c, i) => c.method === 'GET' && c.vendor !== from && firstWrite >= 0 && i > firstWrite).length);
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0).toFixed(2);
const max = (xs: number[]) => (xs.length ? Math.max(...xs) : 0);

async function main(): Promise<void> {
  const s = await startSandboxes({ webhookRetryDelayMs: 20 });
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-bench-mirror-'));
  const roles = path.join(dir, 'roles.yaml');
  writeFileSync(roles, sandboxPolicyYaml());
  const loaded = loadConfig({ env: { ...s.env, DATABASE_URL: path.join(dir, 'bench.db'), PORT: '0', LOG_LEVEL: 'silent', CONFIG_FILE: roles } });
  const service = await startService(loaded, { logger: createLogger({ level: 'silent' }), host: '127.0.0.1' });
  s.connect(service.url);
  const sam = new FreshdeskAgent(s.urls.freshdesk, FRESHDESK_AGENTS.samOrtiz.apiKey);
  const dana = new ZendeskAgent(s.urls.zendesk, ZENDESK_AGENTS.danaFox.email, ZENDESK_AGENTS.danaFox.apiKey);
  const tech1 = new JiraUser(s.urls.jira, JIRA_USERS.tech1.email, JIRA_USERS.tech1.apiToken);

  const fd = await sam.createTicket({ email: FRESHDESK_REQUESTERS.ana.email, subject: 'Invoice export times out', description: DESCRIPTION, priority: 3, status: 2, responder_id: FRESHDESK_AGENTS.samOrtiz.id, group_id: FRESHDESK_GROUPS.clientSuccess.id, tags: ['jira-bug'] });
  const zd = await dana.createTicket({ subject: 'Dashboard shows yesterday twice', comment: { html_body: DESCRIPTION, public: true }, requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email }, group_id: ZENDESK_GROUPS.aegentTier1.id, assignee_id: ZENDESK_AGENTS.danaFox.id, tags: ['jira-bug'] });
  await quiet(s, service, 1000);
  const keyOf = async (vendor: 'freshdesk' | 'zendesk', id: number) => (await service.store.getLinkByTicket({ vendor, connectionId: 'default', id: String(id) }))?.issueKey as string;
  const pairs = [
    { name: 'Freshdesk', vendor: 'freshdesk', key: await keyOf('freshdesk', fd.id), comment: (n: number) => sam.reply(fd.id, `<p>Update ${n} for the customer</p>`) },
    { name: 'Zendesk', vendor: 'zendesk', key: await keyOf('zendesk', zd.id), comment: (n: number) => dana.comment(zd.id, `Update ${n} for the customer`, true) },
  ];

  const lines: string[] = [`${COMMENTS} comments each way per helpdesk, one at a time:`];
  for (const pair of pairs) {
    const toJira: Tally = { reads: [], writes: [], echoReads: [] };
    const toTicket: Tally = { reads: [], writes: [], echoReads: [] };
    for (let n = 1; n <= COMMENTS; n += 1) {
      let since = Date.now();
      await pair.comment(n);
      await quiet(s, service, 1000);
      tally(ours(s, since), pair.vendor, toJira);
      since = Date.now();
      await tech1.comment(pair.key, `Engineering note ${n}`);
      await quiet(s, service, 1000);
      tally(ours(s, since), 'jira', toTicket);
    }
    lines.push(
      `${pair.name} -> Jira (M3): writes per comment max ${max(toJira.writes)} mean ${mean(toJira.writes)}; reads of the change mean ${mean(toJira.reads)}; echo reads mean ${mean(toJira.echoReads)} (max ${max(toJira.echoReads)})`,
      `Jira -> ${pair.name} (M1): writes per comment max ${max(toTicket.writes)} mean ${mean(toTicket.writes)}; reads of the change mean ${mean(toTicket.reads)}; echo reads mean ${mean(toTicket.echoReads)} (max ${max(toTicket.echoReads)})`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  s.connect(null);
  await service.stop();
  await s.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
