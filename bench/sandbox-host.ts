/**
 * The vendor sandboxes of the intake benchmark in a process of their own, so that the load
 * generator (bench/intake.ts) shares its event loop with nothing. Driven over the IPC channel
 * of child_process.fork/spawn: each request { id, op, ... } gets one reply { id, ok, result }.
 *
 * ops:
 *   start { issues }            starts the three sandboxes (no webhooks sent anywhere) and adds
 *                               `issues` Jira issues (copies of the seeded SUP-20) the
 *                               benchmark's webhooks are about; answers the env and the issues.
 *   zendeskRaiseTickets { count, marker }
 *                               creates Zendesk tickets that raise a Jira issue on their first
 *                               webhook (tagged jira-bug, with steps, impact and environment),
 *                               without sending anything; answers each one's ticket.created
 *                               webhook body, as the Zendesk sandbox would send it.
 *   raisedIssues {}             the Jira issues created by helpdesk-sync's API user, with the
 *                               time each create was applied (ms) and the ticket it names.
 *   writesPerTicket { ticketIds }
 *                               helpdesk-sync's writes: its comments per Zendesk ticket, the Jira
 *                               issues it created, its comments per issue.
 *   calls { vendor, since }     helpdesk-sync's calls at a sandbox since a moment, per endpoint.
 *   resetCalls {}               forgets the call logs (they grow with every call).
 */
import { JIRA_PROJECT, JIRA_USERS, ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../src/sandbox/seed-people';
import type { IssueRecord } from '../src/sandbox/jira/state';
import { INTEGRATION_ACTORS, startSandboxes, type Sandboxes } from '../src/sandbox/world';
import { readTicketBody } from '../src/sandbox/zendesk/requests';
import { createTicket } from '../src/sandbox/zendesk/tickets';
import { ticketDeliveries } from '../src/sandbox/zendesk/webhooks';

type Vendor = 'freshdesk' | 'zendesk' | 'jira';
interface Message {
  id: number;
  op: string;
  [k: string]: unknown;
}

const DESCRIPTION =
  '<p>Invoice export stops after a minute.</p><p><b>Steps to reproduce:</b><br>1. Billing<br>2. Export as PDF</p>' +
  '<p><b>Impact:</b> finance cannot send invoices</p><p><b>Environment:</b> production EU, Chrome 131</p>';
const SUBJECTS = ['Invoice export times out', 'Dashboard shows yesterday twice', 'Password reset mail never arrives', 'CSV import rejects semicolons'];

/** Issue ids of the benchmark's own issues: far above the sandbox's next id (10021). */
const FIRST_BENCH_ISSUE = 500_001;

let boxes: Sandboxes | null = null;
let zendeskSerial = 0;

function sandboxes(): Sandboxes {
  if (!boxes) throw new Error('sandboxes not started');
  return boxes;
}

function addIssues(s: Sandboxes, count: number): Array<{ id: string; key: string }> {
  const template = s.jira.state.findIssue('10020') as IssueRecord;
  const out: Array<{ id: string; key: string }> = [];
  for (let i = 0; i < count; i += 1) {
    const id = String(FIRST_BENCH_ISSUE + i);
    const key = `${JIRA_PROJECT.key}-${FIRST_BENCH_ISSUE + i}`;
    s.jira.state.issues.set(id, {
      ...template,
      id,
      key,
      summary: `Benchmark issue ${i + 1}`,
      labels: ['bench'],
      customFields: {},
      properties: new Map(),
      comments: template.comments.map((c) => ({ ...c, id: `${c.id}${i}`, issueId: id })),
      remoteLinks: [],
    });
    out.push({ id, key });
  }
  return out;
}

/** Distinct words per ticket, so no two look like duplicates to rule T4. */
function subjectFor(n: number, marker: string): string {
  const tokens = Array.from({ length: 6 }, (_, k) => `${marker}${n}${String.fromCharCode(97 + k)}`).join(' ');
  return `${SUBJECTS[n % SUBJECTS.length] as string} (${tokens})`;
}

async function handle(msg: Message): Promise<unknown> {
  switch (msg.op) {
    case 'start': {
      boxes = await startSandboxes({ webhookRetryDelayMs: 50 });
      boxes.connect(null);
      const issues = addIssues(boxes, Number(msg.issues ?? 0));
      return { env: boxes.env, urls: boxes.urls, issues };
    }
    case 'zendeskRaiseTickets': {
      const s = sandboxes();
      const count = Number(msg.count);
      const marker = String(msg.marker ?? 'e');
      const out: Array<{ ticketId: number; body: string }> = [];
      for (let i = 0; i < count; i += 1) {
        zendeskSerial += 1;
        const change = createTicket(
          s.zendesk.state,
          ZENDESK_AGENTS.danaFox.id,
          readTicketBody({
            ticket: {
              subject: subjectFor(zendeskSerial, marker),
              comment: { html_body: DESCRIPTION, public: true },
              requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
              group_id: ZENDESK_GROUPS.aegentTier1.id,
              assignee_id: ZENDESK_AGENTS.danaFox.id,
              tags: ['jira-bug'],
            },
          }),
        );
        const created = ticketDeliveries(s.zendesk.state, change).find((d) => d.eventType.endsWith('.created'));
        if (!created) throw new Error('the Zendesk sandbox made no ticket.created delivery');
        out.push({ ticketId: change.ticket.id, body: JSON.stringify(created.body) });
      }
      return out;
    }
    case 'raisedIssues': {
      const s = sandboxes();
      const ours = [...s.jira.state.issues.values()].filter((i) => i.creatorId === JIRA_USERS.integration.accountId);
      return ours.map((i) => ({ id: i.id, key: i.key, summary: i.summary, createdMs: i.created.getTime() }));
    }
    case 'writesPerTicket': {
      // What helpdesk-sync wrote, per Zendesk ticket: its comments (notes) on the ticket, and per
      // Jira issue its comments; plus the issues it created.
      const s = sandboxes();
      const integrationZd = Number(INTEGRATION_ACTORS.zendesk);
      const notes: Record<string, number> = {};
      for (const id of msg.ticketIds as number[]) notes[String(id)] = s.zendesk.state.commentsOf(id).filter((c) => c.authorId === integrationZd).length;
      const issues = [...s.jira.state.issues.values()].filter((i) => i.creatorId === JIRA_USERS.integration.accountId);
      const issueComments: Record<string, number> = {};
      for (const i of issues) issueComments[i.id] = i.comments.filter((c) => c.authorId === JIRA_USERS.integration.accountId).length;
      return { notes, issues: issues.map((i) => ({ id: i.id, key: i.key })), issueComments };
    }
    case 'calls': {
      const s = sandboxes();
      const vendor = msg.vendor as Vendor;
      const calls = s[vendor].http.calls.since(Number(msg.since ?? 0), { actor: INTEGRATION_ACTORS[vendor] });
      const byEndpoint: Record<string, number> = {};
      for (const c of calls) byEndpoint[`${c.method} ${c.endpoint} ${c.status}`] = (byEndpoint[`${c.method} ${c.endpoint} ${c.status}`] ?? 0) + 1;
      return { total: calls.length, byEndpoint };
    }
    case 'resetCalls': {
      const s = sandboxes();
      for (const v of ['freshdesk', 'zendesk', 'jira'] as const) s[v].http.calls.reset();
      return null;
    }
    default:
      throw new Error(`unknown op ${msg.op}`);
  }
}

if (!process.send) {
  process.stderr.write('bench/sandbox-host.ts runs as a child of bench/intake.ts (it needs an IPC channel)\n');
  process.exit(2);
}
process.on('message', (raw) => {
  const msg = raw as Message;
  handle(msg).then(
    (result) => process.send?.({ id: msg.id, ok: true, result }),
    (err: unknown) => process.send?.({ id: msg.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
  );
});
// The parent going away (even by a crash) ends this process too.
process.on('disconnect', () => {
  void (boxes?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
process.once('SIGTERM', () => {
  void (boxes?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
