import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { adfToText } from '../../src/jira/adf';
import type { AdfDocument } from '../../src/jira/types';
import type { Logger } from '../../src/logging/logger';
import { FreshdeskAgent, ZendeskAgent } from '../../src/sandbox/demo/actors';
import { sandboxPolicyYaml } from '../../src/sandbox/policy-roles';
import { FRESHDESK_AGENTS, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS, JIRA_USERS, ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../../src/sandbox/seed-people';
import { INTEGRATION_ACTORS, startSandboxes, type Sandboxes } from '../../src/sandbox/world';
import { ThreadedSqliteStore } from '../../src/store/sqlite/threaded-store';
import type { InboxEvent, Store } from '../../src/store/types';
import type { EventProcessor } from '../../src/sync/processor';
import { leakedSecrets } from '../helpers/secret-forms';
import { configFile, settled, until } from '../e2e/stack';
import { capturingLogger, fullDiskStore, sandboxSecretForms, sleep, startFaultStack, startWiredService, type FaultStack, type WiredService } from './faults-harness';
import { FaultProxy } from './faults-proxy';

/**
 * The fault tests of the reliability issue, against the real server (startService) and the
 * sandboxes: a vendor down for far longer than the retry budget, a 429 storm, a full disk.
 * Every one ends with nothing dead-lettered, everything delivered once, per-ticket order kept,
 * and no secret in any log line or answer.
 */

const STORE = process.env.TEST_E2E_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** A retry budget well under a second, so any outage of seconds is far longer than it. */
const MAX_ATTEMPTS = 3;
const SMALL_BUDGET_YAML = `
worker:
  maxAttempts: ${MAX_ATTEMPTS}
  backoffBaseMs: 50
  backoffMaxMs: 200
  pollIntervalMs: 50
vendorHttp:
  circuit:
    failureThreshold: 3
    probeBaseMs: 100
    probeMaxMs: 1000
    authProbeMs: 1000
`;

/** What the budget allows before an event is dead: the backoff gaps between its attempts. */
function retryBudgetMs(): number {
  let total = 0;
  for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1) total += Math.min(200, 50 * 2 ** (attempt - 1));
  return total;
}

const BUG = [
  'The invoice export stops after a minute.',
  'Steps to reproduce:',
  '1. Billing > Invoices',
  '2. Export as PDF',
  'Impact: finance cannot send invoices',
  'Environment: production EU, Chrome 131',
].join('\n');

const BUG_HTML =
  '<div>Every invoice export stops after a minute with "Request timed out".</div>' +
  '<p><b>Steps to reproduce:</b><br>1. Billing, Invoices<br>2. Select 2025-01<br>3. Export as PDF</p>' +
  '<p><b>Impact:</b> all 40 Northwind finance users cannot send invoices</p>' +
  '<p><b>Environment:</b> production EU, Chrome 131, account northwind</p>';

type Helpdesk = 'zendesk' | 'freshdesk';

interface Escalated {
  vendor: Helpdesk;
  id: number;
  /** The texts of the comments an agent added after the escalation, in order. */
  comments: string[];
}

/** The scenarios' agents, acting through the vendors' APIs (straight at the sandboxes, never through a fault hop). */
function agents(sandboxes: Sandboxes) {
  const dana = new ZendeskAgent(sandboxes.urls.zendesk, ZENDESK_AGENTS.danaFox.email, ZENDESK_AGENTS.danaFox.apiKey);
  const alex = new FreshdeskAgent(sandboxes.urls.freshdesk, FRESHDESK_AGENTS.alexChen.apiKey);
  return {
    /** A Tier 1 ticket owned by Dana, tagged for Jira with everything a bug needs. */
    async escalate(vendor: Helpdesk, subject: string): Promise<Escalated> {
      if (vendor === 'zendesk') {
        const t = await dana.createTicket({
          subject,
          comment: { body: BUG, public: true },
          requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
          group_id: ZENDESK_GROUPS.aegentTier1.id,
          assignee_id: ZENDESK_AGENTS.danaFox.id,
          tags: ['jira-bug'],
        });
        return { vendor, id: t.id, comments: [] };
      }
      const t = await alex.createTicket({
        email: FRESHDESK_REQUESTERS.ana.email,
        subject,
        description: BUG_HTML,
        priority: 3,
        status: 2,
        source: 1,
        type: 'Problem',
        group_id: FRESHDESK_GROUPS.appSupport.id,
        responder_id: FRESHDESK_AGENTS.alexChen.id,
        tags: ['jira-bug'],
      });
      return { vendor, id: t.id, comments: [] };
    },
    /** One more comment by the agent (public and private in turn): M3 mirrors each to Jira once. */
    async comment(ticket: Escalated, text: string): Promise<void> {
      const visible = ticket.comments.length % 2 === 0;
      if (ticket.vendor === 'zendesk') await dana.comment(ticket.id, text, visible);
      else if (visible) await alex.reply(ticket.id, `<p>${text}</p>`);
      else await alex.privateNote(ticket.id, `<p>${text}</p>`);
      ticket.comments.push(text);
    },
  };
}

const label = (t: Escalated) => `hs-${t.vendor}-default-${t.id}`;
const issuesOf = (sandboxes: Sandboxes, t: Escalated) => [...sandboxes.jira.state.issues.values()].filter((i) => i.labels.includes(label(t)));
const textOf = (doc: unknown) => (doc ? adfToText(doc as AdfDocument) : '');

/** Our notes on a ticket (the integration user's), as plain text. */
function ourNotes(sandboxes: Sandboxes, t: Escalated): string[] {
  return t.vendor === 'zendesk'
    ? sandboxes.zendesk.comments(t.id).filter((c) => c.authorId === ZENDESK_AGENTS.integration.id).map((c) => c.plainBody)
    : sandboxes.freshdesk.conversations(t.id).filter((c) => c.userId === FRESHDESK_AGENTS.integration.id).map((c) => c.bodyText);
}

/**
 * Delivered once: one issue per ticket, linked both ways once (one remote link, one J4 note
 * naming its key), every comment made after the escalation in Jira exactly once (as a comment,
 * or in the description when the issue was raised after it), no comment of ours twice.
 */
function deliveredOnce(sandboxes: Sandboxes, tickets: Escalated[]): string[] {
  const problems: string[] = [];
  for (const t of tickets) {
    const issues = issuesOf(sandboxes, t);
    if (issues.length !== 1) {
      problems.push(`${label(t)}: ${issues.length} Jira issues`);
      continue;
    }
    const issue = issues[0] as (typeof issues)[number];
    const links = issue.remoteLinks.filter((l) => l.globalId === `helpdesk-sync:${t.vendor}:default:ticket:${t.id}`);
    if (links.length !== 1) problems.push(`${issue.key}: ${links.length} remote links to ${label(t)}`);
    const linkNotes = ourNotes(sandboxes, t).filter((n) => n.includes(issue.key));
    if (linkNotes.length !== 1) problems.push(`${label(t)}: ${linkNotes.length} notes naming ${issue.key}`);
    const notes = ourNotes(sandboxes, t);
    if (new Set(notes).size !== notes.length) problems.push(`${label(t)}: a note of ours written twice`);
    const ours = issue.comments.filter((c) => c.authorId === JIRA_USERS.integration.accountId).map((c) => textOf(c.body));
    if (new Set(ours).size !== ours.length) problems.push(`${issue.key}: a comment of ours posted twice`);
    const description = textOf(issue.description);
    for (const text of t.comments) {
      const asComments = ours.filter((c) => c.includes(text)).length;
      const inDescription = description.includes(text) ? 1 : 0;
      if (asComments + inDescription !== 1) problems.push(`${issue.key}: "${text}" ${asComments} time(s) as a comment, ${inDescription} in the description`);
    }
    // The comments reached Jira in the order they were made (per-ticket order, end to end).
    const order = t.comments.map((text) => ours.findIndex((c) => c.includes(text))).filter((i) => i >= 0);
    if (order.some((i, n) => n > 0 && i < (order[n - 1] as number))) problems.push(`${issue.key}: comments out of order ${JSON.stringify(order)}`);
  }
  return problems;
}

/** Per-ticket order: every entity's events finished in id order (processedAt never goes back). */
async function orderBreaks(store: Store): Promise<string[]> {
  const all = await store.listEvents({ limit: 100_000 });
  const problems: string[] = [];
  for (const key of new Set(all.map((e) => `${e.vendor}|${e.connectionId}|${e.entityKey}`))) {
    const [vendor, connectionId, entityKey] = key.split('|') as [InboxEvent['vendor'], string, string];
    const events = (await store.listEvents({ vendor, connectionId, entityKey, limit: 100_000 })).sort((a, b) => a.id - b.id);
    for (let i = 1; i < events.length; i += 1) {
      const before = events[i - 1] as InboxEvent;
      const after = events[i] as InboxEvent;
      if (!before.processedAt || !after.processedAt) continue;
      if (after.processedAt.getTime() < before.processedAt.getTime()) {
        problems.push(`${key}: event ${after.id} done at ${after.processedAt.toISOString()}, before event ${before.id} (${before.processedAt.toISOString()})`);
      }
    }
  }
  return problems;
}

interface Watch {
  readyz: Array<{ at: number; status: number; body: { status?: string; error?: string; circuits?: Array<{ vendor: string; connection: string; state: string; reason: string | null; lastError: string | null }> } }>;
  /** store.listCircuits() (what `sync status` prints), by time. */
  stored: Array<{ at: number; circuits: Array<{ vendor: string; connectionId: string; state: string; reason: string | null }> }>;
  maxAttempts: number;
  answers: string[];
  stop(): Promise<void>;
}

/** Polls GET /readyz, the stored circuits and the events' attempts every `everyMs` until stopped. */
function watch(serviceUrl: string, store: Store, everyMs = 200): Watch {
  const w: Watch = { readyz: [], stored: [], maxAttempts: 0, answers: [], stop: async () => undefined };
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      const res = await fetch(`${serviceUrl}/readyz`);
      const text = await res.text();
      w.answers.push(text);
      w.readyz.push({ at, status: res.status, body: JSON.parse(text) as Watch['readyz'][number]['body'] });
      w.stored.push({ at, circuits: (await store.listCircuits()).map((c) => ({ vendor: c.vendor, connectionId: c.connectionId, state: c.state, reason: c.reason })) });
      for (const e of await store.listEvents({ limit: 100_000 })) w.maxAttempts = Math.max(w.maxAttempts, e.attempts);
      await sleep(everyMs);
    }
  })();
  w.stop = async () => {
    running = false;
    await loop;
  };
  return w;
}

function noLeaks(stack: FaultStack, extra: string[]): string[] {
  const forms = sandboxSecretForms(stack.sandboxes.env);
  // Not vacuous: a planted token, in any of its spellings, is found.
  expect(leakedSecrets(`Authorization: Basic ${Buffer.from(`${stack.sandboxes.env.JIRA_EMAIL}:${stack.sandboxes.env.JIRA_API_TOKEN}`).toString('base64')}`, forms)).not.toEqual([]);
  const answers = stack.front.calls.map((c) => c.body ?? '');
  expect(stack.log.lines.length).toBeGreaterThan(0);
  expect(answers.length).toBeGreaterThan(0);
  return leakedSecrets([...stack.log.lines, ...answers, ...extra].join('\n'), forms);
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe(`fault tests (${STORE})`, () => {
  it('1. Jira down for far longer than the retry budget (503s, then refused connections): nothing dead, everything once, in order', async () => {
    const stack = await startFaultStack({ yaml: SMALL_BUDGET_YAML, proxied: ['jira'] });
    const hop = stack.hops.jira as NonNullable<FaultStack['hops']['jira']>;
    const { service, sandboxes } = stack;
    let watcher: Watch | null = null;
    try {
      const people = agents(sandboxes);
      // Before the outage: tickets already linked to their issues.
      const linked = [await people.escalate('zendesk', 'Invoice export stops after a minute'), await people.escalate('zendesk', 'Dashboard shows yesterday twice'), await people.escalate('freshdesk', 'Invoice PDF export times out')];
      await settled(stack);
      expect(linked.map((t) => issuesOf(sandboxes, t).length)).toEqual([1, 1, 1]);

      // The outage: 4 s of 503s, then 4 s of refused connections.
      const started = Date.now();
      await hop.setMode('unavailable');
      watcher = watch(service.url, service.store);
      const fresh: Escalated[] = [];
      const all = () => [...linked, ...fresh];
      const round = async (n: number) => {
        for (const t of all()) await people.comment(t, `Support update ${label(t)} #${n}`);
      };
      await sleep(300);
      fresh.push(await people.escalate('zendesk', 'Meter readings rounded wrongly'), await people.escalate('zendesk', 'Alerts sent to removed users'), await people.escalate('freshdesk', 'Tariff import skips weekends'));
      await round(1);
      await sleep(1_700);
      await round(2);
      await until(() => Date.now() - started >= 4_000, 'the 503 phase to end', 5_000);
      await hop.setMode('closed');
      const refusedAt = Date.now();
      await sleep(500);
      fresh.push(await people.escalate('zendesk', 'Usage graph empty for new meters'));
      await round(3);
      await sleep(1_800);
      await round(4);
      await until(() => Date.now() - refusedAt >= 4_000, 'the refused phase to end', 5_000);
      // Nothing died while Jira was away, however long that was.
      expect(await service.store.listDeadLetters()).toEqual([]);
      await hop.setMode('pass');
      const back = Date.now();
      const outageMs = back - started;
      await settled(stack);
      const drainedMs = Date.now() - back;
      await watcher.stop();

      // Figures first (printed even when an assertion below fails).
      const events = await service.store.listEvents({ limit: 100_000 });
      const maxAttempts = Math.max(watcher.maxAttempts, ...events.map((e) => e.attempts));
      const dead = await service.store.listDeadLetters();
      const duringOutage = hop.callsBetween(started, back);
      const creates = sandboxes.jira.http.calls.all().filter((c) => c.actor === INTEGRATION_ACTORS.jira && c.method === 'POST' && c.endpoint === '/rest/api/3/issue' && c.status < 300).length;
      console.log(
        `[faults 1, ${STORE}] Jira outage waited out: ${(outageMs / 1000).toFixed(1)} s ` +
          `(${((refusedAt - started) / 1000).toFixed(1)} s of 503, ${((back - refusedAt) / 1000).toFixed(1)} s refused) against a retry budget of ${retryBudgetMs()} ms ` +
          `(${MAX_ATTEMPTS} attempts), ${dead.length} dead letter(s); ${all().length} tickets, ${events.length} events, max attempts ${maxAttempts}; ` +
          `${duringOutage.length} calls reached the Jira hop during the outage (${duringOutage.filter((c) => c.status === 503).length} answered 503, the rest refused); ` +
          `${creates} issue creates; drained ${(drainedMs / 1000).toFixed(1)} s after Jira came back; ${stack.log.lines.length} log lines checked for secrets`,
      );

      // During the outage: ready (the store writes), the Jira connection's circuit listed.
      const during = watcher.readyz.filter((r) => r.at > started + 1_000 && r.at < back);
      expect(during.length).toBeGreaterThan(10);
      expect(during.filter((r) => r.status !== 200)).toEqual([]);
      const jiraOpen = (r: Watch['readyz'][number]) =>
        (r.body.circuits ?? []).some((c) => c.vendor === 'jira' && c.connection === 'default' && ['open', 'half-open'].includes(c.state) && c.reason === 'outage');
      // Every answer after the circuit opened lists it until Jira is back.
      const firstOpen = during.findIndex(jiraOpen);
      expect(firstOpen).toBeGreaterThanOrEqual(0);
      expect(during.slice(firstOpen).filter((r) => !jiraOpen(r)).map((r) => r.body)).toEqual([]);
      // Jira was really asked during the outage, and the refused phase was refused connections.
      expect(duringOutage.filter((c) => c.status === 503).length).toBeGreaterThan(0);
      const refusedErrors = watcher.readyz.filter((r) => r.at > refusedAt + 500 && r.at < back).flatMap((r) => (r.body.circuits ?? []).map((c) => c.lastError ?? ''));
      expect(refusedErrors.some((e) => e.includes('ECONNREFUSED'))).toBe(true);
      // `sync status` reads the same from the store.
      expect(watcher.stored.filter((s) => s.at > started + 1_000 && s.at < back).some((s) => s.circuits.some((c) => c.vendor === 'jira' && c.connectionId === 'default' && c.reason === 'outage'))).toBe(true);

      // After recovery: ready, no circuit open (in memory or stored), nothing dead, each change once.
      const ready = await fetch(`${service.url}/readyz`);
      const readyText = await ready.text();
      expect(ready.status).toBe(200);
      expect(JSON.parse(readyText)).toMatchObject({ status: 'ready', write: 'ok', circuits: [] });
      expect(await until(async () => (await service.store.listCircuits()).length === 0 || null, 'the stored circuit to be cleared', 5_000)).toBe(true);
      expect(dead).toEqual([]);
      expect(await service.store.inboxCounts()).toMatchObject({ pending: 0, processing: 0, dead: 0 });
      expect(deliveredOnce(sandboxes, all())).toEqual([]);
      // Events of a ticket finish in id order (covered events are marked before the event completes).
      expect(await orderBreaks(service.store)).toEqual([]);
      expect(maxAttempts).toBeLessThanOrEqual(MAX_ATTEMPTS);
      expect(noLeaks(stack, [...watcher.answers, readyText])).toEqual([]);
    } finally {
      await watcher?.stop();
      await stack.stop();
    }
    expect(unhandled).toEqual([]);
  }, 90_000);

  it('2. a 429 storm at Zendesk and Jira (Retry-After 2 s, for 5 s): the waits honoured, nothing dead, everything once', async () => {
    const retryAfterSeconds = 2;
    // The shipped settle window (config/default.yaml): it is for writes whose outcome is
    // unknown (a 5xx or a timeout after the request left). A 429, or a call the open circuit
    // never sent, has a known outcome, so nothing in this storm should wait for it.
    const stack = await startFaultStack({ yaml: `${SMALL_BUDGET_YAML}jiraIssues:\n  createSettleSeconds: 60\n`, proxied: ['zendesk', 'jira'], retryAfterSeconds });
    const { service, sandboxes } = stack;
    const hops = { zendesk: stack.hops.zendesk as NonNullable<FaultStack['hops']['zendesk']>, jira: stack.hops.jira as NonNullable<FaultStack['hops']['jira']> };
    let watcher: Watch | null = null;
    try {
      const people = agents(sandboxes);
      const linked = [await people.escalate('zendesk', 'Invoice export stops after a minute'), await people.escalate('freshdesk', 'Invoice PDF export times out')];
      await settled(stack);
      expect(linked.map((t) => issuesOf(sandboxes, t).length)).toEqual([1, 1]);

      const started = Date.now();
      await Promise.all([hops.zendesk.setMode('rate-limited'), hops.jira.setMode('rate-limited')]);
      watcher = watch(service.url, service.store);
      const fresh: Escalated[] = [];
      const all = () => [...linked, ...fresh];
      fresh.push(await people.escalate('zendesk', 'Meter readings rounded wrongly'), await people.escalate('freshdesk', 'Tariff import skips weekends'));
      for (let n = 1; n <= 3; n += 1) {
        for (const t of all()) await people.comment(t, `Support update ${label(t)} #${n}`);
        await sleep(1_200);
      }
      await until(() => Date.now() - started >= 5_000, 'the storm to end', 6_000);
      await Promise.all([hops.zendesk.setMode('pass'), hops.jira.setMode('pass')]);
      const ended = Date.now();
      // Not thrown here: when the inbox does not drain, the assertions below say why.
      const drained = await settled(stack).then(
        () => true,
        () => false,
      );
      const drainedMs = Date.now() - ended;
      await watcher.stop();

      // Figures first (printed even when an assertion below fails).
      const stormSeconds = (ended - started) / 1000;
      const storm = (['zendesk', 'jira'] as const).map((vendor) => {
        const calls = hops[vendor].callsBetween(started, ended);
        const first = calls[0]?.at ?? started;
        // Calls that left more than a moment after the first 429 are probes: one per Retry-After at most.
        const probes = calls.filter((c) => c.at > first + 250);
        const gaps = probes.map((c, i) => c.at - (i === 0 ? first : (probes[i - 1] as { at: number }).at));
        return { vendor, calls, first, probes, gaps };
      });
      const events = await service.store.listEvents({ limit: 100_000 });
      const maxAttempts = Math.max(watcher.maxAttempts, ...events.map((e) => e.attempts));
      const dead = await service.store.listDeadLetters();
      console.log(
        `[faults 2, ${STORE}] 429 storm of ${stormSeconds.toFixed(1)} s, Retry-After ${retryAfterSeconds} s: ` +
          storm.map((v) => `${v.vendor}: ${v.calls.length} calls (${(v.calls.length / stormSeconds).toFixed(2)}/s; ${v.calls.length - v.probes.length} at the start, then probes ${v.gaps.map((g) => `+${g} ms`).join(' ') || 'none'})`).join('; ') +
          `; ${all().length} tickets, ${events.length} events, max attempts ${maxAttempts}, ${dead.length} dead letter(s)${drained ? '' : ', the inbox did not drain'}${dead.length ? `: ${dead.map((d) => `${d.entityKey} ${d.eventType} after ${d.attempts}: ${d.error}`).join(' | ')}` : ''}; drained ${(drainedMs / 1000).toFixed(1)} s after the storm`,
      );

      // The waits were honoured: after the first 429 a connection is called about once per
      // Retry-After (its probe), plus the calls already under way when the storm began.
      for (const v of storm) {
        expect(v.calls.length).toBeGreaterThan(0);
        expect(v.calls.filter((c) => c.status !== 429)).toEqual([]);
        expect(v.probes.length).toBeLessThanOrEqual(Math.ceil((ended - v.first) / (retryAfterSeconds * 1000)) + 1);
        expect(v.gaps.filter((g) => g < retryAfterSeconds * 1000 - 250)).toEqual([]);
        expect(v.calls.length / stormSeconds).toBeLessThan(3);
      }
      // Readiness said which connections waited, and why.
      const during = watcher.readyz.filter((r) => r.at > started + 500 && r.at < ended);
      expect(during.filter((r) => r.status !== 200)).toEqual([]);
      for (const vendor of ['zendesk', 'jira']) {
        expect(during.some((r) => (r.body.circuits ?? []).some((c) => c.vendor === vendor && c.reason === 'rate_limited'))).toBe(true);
      }
      const ready = await fetch(`${service.url}/readyz`);
      const readyText = await ready.text();
      expect(JSON.parse(readyText)).toMatchObject({ status: 'ready', circuits: [] });
      expect(noLeaks(stack, [...watcher.answers, readyText])).toEqual([]);

      expect(dead).toEqual([]);
      expect(drained).toBe(true);
      expect(await service.store.inboxCounts()).toMatchObject({ pending: 0, processing: 0, dead: 0 });
      expect(deliveredOnce(sandboxes, all())).toEqual([]);
      // Events of a ticket finish in id order (covered events are marked before the event completes).
      expect(await orderBreaks(service.store)).toEqual([]);
      expect(maxAttempts).toBeLessThanOrEqual(MAX_ATTEMPTS);
    } finally {
      await watcher?.stop();
      await stack.stop();
    }
    expect(unhandled).toEqual([]);
  }, 60_000);

  it("2b. Freshdesk's ticket-update limit runs out (429 on PUT /tickets/:id only, for 5 s) while notes still pass: every note once", async () => {
    const retryAfterSeconds = 2;
    const updates = (method: string, p: string) => method === 'PUT' && /^\/api\/v2\/tickets\/\d+$/.test(p);
    const stack = await startFaultStack({ yaml: SMALL_BUDGET_YAML, proxied: ['freshdesk'], retryAfterSeconds, only: updates });
    const { service, sandboxes } = stack;
    const hop = stack.hops.freshdesk as NonNullable<FaultStack['hops']['freshdesk']>;
    let watcher: Watch | null = null;
    try {
      const people = agents(sandboxes);
      const started = Date.now();
      await hop.setMode('rate-limited');
      watcher = watch(service.url, service.store);
      const tickets = [await people.escalate('freshdesk', 'Invoice PDF export times out'), await people.escalate('freshdesk', 'Tariff import skips weekends')];
      await sleep(1_000);
      for (const t of tickets) await people.comment(t, `Support update ${label(t)} #1`);
      await until(() => Date.now() - started >= 5_000, 'the limit window to end', 6_000);
      await hop.setMode('pass');
      const ended = Date.now();
      const drained = await settled(stack).then(
        () => true,
        () => false,
      );
      await watcher.stop();

      // Figures first (printed even when an assertion below fails).
      const during = hop.callsBetween(started, ended);
      const limited = during.filter((c) => c.status === 429);
      const notesPosted = sandboxes.freshdesk.http.calls.all().filter((c) => c.actor === INTEGRATION_ACTORS.freshdesk && c.method === 'POST' && c.endpoint === '/api/v2/tickets/:id/notes' && c.status < 300);
      const dead = await service.store.listDeadLetters();
      const problems = deliveredOnce(sandboxes, tickets);
      console.log(
        `[faults 2b, ${STORE}] Freshdesk ticket-update limit for ${((ended - started) / 1000).toFixed(1)} s (Retry-After ${retryAfterSeconds} s): ` +
          `${limited.length} PUTs answered 429, ${during.length - limited.length} other calls passed; notes posted per ticket ` +
          `${tickets.map((t) => notesPosted.filter((c) => c.path === `/api/v2/tickets/${t.id}/notes`).length).join(', ')}; ${dead.length} dead letter(s); ${problems.length ? problems.join(' | ') : 'each note once'}`,
      );

      // The limit really hit our ticket updates, and only them.
      expect(limited.length).toBeGreaterThan(0);
      expect(limited.every((c) => updates(c.method, c.path.split('?')[0] ?? c.path))).toBe(true);
      expect(dead).toEqual([]);
      expect(drained).toBe(true);
      expect(await service.store.inboxCounts()).toMatchObject({ pending: 0, processing: 0, dead: 0 });
      expect(problems).toEqual([]);
      for (const t of tickets) {
        const key = issuesOf(sandboxes, t)[0]?.key;
        expect(sandboxes.freshdesk.ticket(t.id)?.tags.map((tag) => tag.toLowerCase())).toContain(`jira:${key}`.toLowerCase());
      }
      // Events of a ticket finish in id order (covered events are marked before the event completes).
      expect(await orderBreaks(service.store)).toEqual([]);
      expect(noLeaks(stack, watcher.answers)).toEqual([]);
    } finally {
      await watcher?.stop();
      await stack.stop();
    }
    expect(unhandled).toEqual([]);
  }, 60_000);

  it('3. the disk fills up with events in flight: webhooks answer 503 (JSON), /readyz says the store cannot write, the slots live on; after: every redelivery stored once, all done, nothing stranded', async () => {
    // Deliveries are retried after 0.5, 1 and 1.5 s (4 attempts, 3 s): the disk is full for 2 s of that.
    const sandboxes = await startSandboxes({ webhookRetryDelayMs: 500 });
    const dir = mkdtempSync(path.join(tmpdir(), 'hs-faults-disk-'));
    const file = path.join(dir, 'helpdesk-sync.db');
    const files = [configFile(), configFile(sandboxPolicyYaml()), configFile('worker:\n  concurrency: 4\n  pollIntervalMs: 50\n')];
    const loaded = loadConfig({ env: { ...sandboxes.env, DATABASE_URL: file, PORT: '0', LOG_LEVEL: 'debug', CONFIG_FILE: files.join(path.delimiter) } });
    const disk = fullDiskStore(ThreadedSqliteStore.open(file));
    const log = capturingLogger();
    // Watches processing (how many events are in the processor at once); holdMs slows each one down.
    const gauge = { inFlight: 0, max: 0, holdMs: 0 };
    const wrapProcessor = (inner: EventProcessor) =>
      ({
        async process(event: InboxEvent, logger: Logger) {
          gauge.inFlight += 1;
          gauge.max = Math.max(gauge.max, gauge.inFlight);
          try {
            if (gauge.holdMs) await sleep(gauge.holdMs);
            return await inner.process(event, logger);
          } finally {
            gauge.inFlight -= 1;
          }
        },
      }) as unknown as EventProcessor;
    let service: WiredService | null = null;
    let front: FaultProxy | null = null;
    const answers: string[] = [];
    try {
      service = await startWiredService(loaded, disk.store, log.logger, { wrapProcessor });
      front = new FaultProxy(service.url, { recordBodies: true });
      sandboxes.connect(await front.start());
      const stack = { sandboxes, service: { store: disk.store } } as unknown as Parameters<typeof settled>[0];
      const people = agents(sandboxes);
      const dana = new ZendeskAgent(sandboxes.urls.zendesk, ZENDESK_AGENTS.danaFox.email, ZENDESK_AGENTS.danaFox.apiKey);
      const plainTickets = async (prefix: string, n: number) => {
        for (let i = 1; i <= n; i += 1) {
          await dana.createTicket({
            subject: `${prefix} ${i}: meter ${100 + i} shows no readings since ${i} am`,
            comment: { body: `Meter ${100 + i} stopped reporting.`, public: true },
            requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
            group_id: ZENDESK_GROUPS.aegentTier1.id,
          });
        }
      };
      /** Runs traffic with every event held in the processor for a while: how many ran at once. */
      const concurrency = async (prefix: string) => {
        gauge.max = 0;
        gauge.holdMs = 300;
        await plainTickets(prefix, 8);
        await settled(stack);
        gauge.holdMs = 0;
        return gauge.max;
      };
      const slotsBefore = await concurrency('Before');
      expect(slotsBefore).toBe(loaded.config.worker.concurrency);
      const linked = [await people.escalate('zendesk', 'Invoice export stops after a minute')];
      await settled(stack);

      // Events in flight (held in the processor), then the disk is full.
      gauge.holdMs = 400;
      const escalated = [await people.escalate('zendesk', 'Meter readings rounded wrongly'), await people.escalate('freshdesk', 'Tariff import skips weekends')];
      for (const t of linked) await people.comment(t, `Support update ${label(t)} #1`);
      await until(() => gauge.inFlight >= 2 || null, 'events in flight');
      disk.full = true;
      const fullAt = Date.now();
      const readyz: Array<{ status: number; body: { error?: string } }> = [];
      const health: number[] = [];
      escalated.push(await people.escalate('zendesk', 'Usage graph empty for new meters'));
      for (const t of [...linked, ...escalated]) await people.comment(t, `Support update ${label(t)} #2`);
      while (Date.now() - fullAt < 2_000) {
        const r = await fetch(`${service.url}/readyz`);
        const text = await r.text();
        answers.push(text);
        readyz.push({ status: r.status, body: JSON.parse(text) as { error?: string } });
        const h = await fetch(`${service.url}/healthz`);
        answers.push(await h.text());
        health.push(h.status);
        await sleep(200);
      }
      disk.full = false;
      gauge.holdMs = 0;
      const clearedAt = Date.now();
      const inFullWindow = front.callsBetween(fullAt, clearedAt);
      // Nothing stranded: the inbox empties within seconds, not after the 2-minute lease.
      await until(async () => {
        const c = await disk.store.inboxCounts();
        return (c.processing === 0 && c.pending === 0) || null;
      }, 'the inbox to drain after the disk has room again', 15_000);
      const drainedMs = Date.now() - clearedAt;
      await settled(stack);
      const slotsAfter = await concurrency('After');

      // Figures first (printed even when an assertion below fails).
      const webhookAnswers = inFullWindow.filter((c) => c.method === 'POST');
      const deliveries = [sandboxes.freshdesk, sandboxes.zendesk, sandboxes.jira].flatMap((box) => box.webhooks.deliveries);
      const redelivered = deliveries.filter((d) => d.attempts > 1);
      const counts = await disk.store.inboxCounts();
      console.log(
        `[faults 3, sqlite] disk full for ${((clearedAt - fullAt) / 1000).toFixed(1)} s: ${webhookAnswers.filter((c) => c.status === 503).length} webhook answers 503 ` +
          `(of ${webhookAnswers.length}), /readyz ${readyz.map((r) => r.status).join(',')}; writes refused ${JSON.stringify(disk.refused)}; ` +
          `${redelivered.length} deliveries redelivered; inbox drained ${(drainedMs / 1000).toFixed(1)} s after the disk had room; ` +
          `slots running at once before ${slotsBefore}, after ${slotsAfter}; ${counts.done} events done, ${deliveries.length} deliveries; ${log.lines.length} log lines checked`,
      );

      // While full: webhooks 503 with a JSON error, never 500; not ready, but alive.
      expect(webhookAnswers.length).toBeGreaterThan(0);
      expect(webhookAnswers.filter((c) => c.status !== 503).map((c) => `${c.status} ${c.body}`)).toEqual([]);
      for (const c of webhookAnswers) expect(JSON.parse(c.body ?? '')).toEqual({ error: expect.any(String) });
      expect(front.calls.filter((c) => c.status !== null && c.status >= 500 && c.status !== 503)).toEqual([]);
      expect(readyz.length).toBeGreaterThan(3);
      expect(readyz.filter((r) => r.status !== 503 || r.body.error !== 'store cannot write')).toEqual([]);
      expect(health.every((s) => s === 200)).toBe(true);
      expect(disk.refused.enqueue ?? 0).toBeGreaterThan(0);
      expect(disk.refused.claimNext ?? 0).toBeGreaterThan(0);
      // The events in flight: the slot that ran each kept its outcome and wrote it once the disk had room.
      const logged = log.lines.map((l) => JSON.parse(l) as { message: string; eventId?: number });
      const owed = new Set(logged.filter((l) => l.message.startsWith('could not record an event outcome')).map((l) => l.eventId));
      const paid = new Set(logged.filter((l) => l.message === 'recorded an event outcome the store had refused').map((l) => l.eventId));
      expect(owed.size).toBeGreaterThan(0);
      expect([...paid].sort()).toEqual([...owed].sort());

      // After: ready again; every delivery accepted (none given up), each stored once; all done.
      const ready = await fetch(`${service.url}/readyz`);
      const readyText = await ready.text();
      answers.push(readyText);
      expect(ready.status).toBe(200);
      expect(redelivered.length).toBeGreaterThan(0);
      expect(deliveries.filter((d) => d.dropped || d.status === null || d.status >= 300).map((d) => `${d.eventType} ${d.entity} ${d.status}`)).toEqual([]);
      // Every delivery stored once; events of our own making (S3's look at a changed bug) come on top.
      const ours = (await disk.store.listEvents({ limit: 100_000 })).filter((e) => e.source !== 'webhook').length;
      expect(counts).toEqual({ pending: 0, processing: 0, done: deliveries.length + ours, dead: 0 });
      expect(await disk.store.listDeadLetters()).toEqual([]);
      expect(deliveredOnce(sandboxes, [...linked, ...escalated])).toEqual([]);
      expect(await orderBreaks(disk.store)).toEqual([]);
      // The slots kept running: after the fault as many events run at once as before.
      expect(slotsAfter).toBe(slotsBefore);

      const forms = sandboxSecretForms(sandboxes.env);
      expect(leakedSecrets([...log.lines, ...front.calls.map((c) => c.body ?? ''), ...answers].join('\n'), forms)).toEqual([]);
    } finally {
      sandboxes.connect(null);
      disk.full = false;
      await service?.stop();
      await front?.close();
      await sandboxes.close();
    }
    expect(unhandled).toEqual([]);
  }, 60_000);
});
