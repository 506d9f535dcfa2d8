import { FreshdeskAgent } from '../../src/sandbox/demo/actors';
import { FRESHDESK_AGENTS, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS } from '../../src/sandbox/seed-people';
import { createLogger } from '../../src/logging/logger';
import { runJob } from '../../src/sync/jobs/run-job';
import type { HelpdeskClient } from '../../src/vendors/types';
import { settled, startStack, type Stack } from './stack';

/**
 * S1-S2 through the sandboxes and the real server, on the sandboxes' movable clock: an urgent
 * Freshdesk ticket nobody answers breaches its one-hour first-response target and is escalated
 * once, however many times and from however many places the sla job runs.
 */
const { samOrtiz } = FRESHDESK_AGENTS;
const HOUR = 3_600_000;

describe('SLA breach escalated once (S1, S2)', () => {
  let stack: Stack;
  let sam: FreshdeskAgent;

  beforeAll(async () => {
    stack = await startStack(undefined, { sandboxClock: true });
    sam = new FreshdeskAgent(stack.sandboxes.urls.freshdesk, samOrtiz.apiKey);
  });
  afterAll(async () => stack.stop());

  const settle = () => settled(stack);
  const slaRun = () =>
    runJob({ loaded: stack.service.loaded, store: stack.service.store, clients: stack.service.clients, logger: createLogger({ level: 'silent' }), now: () => stack.sandboxes.clock.now() }, { job: 'sla' });
  const notes = (id: number) => stack.sandboxes.freshdesk.conversations(id).filter((c) => c.private && /SLA breached/.test(c.bodyText));
  const ref = (id: number) => ({ vendor: 'freshdesk' as const, connectionId: 'default', id: String(id) });

  it('escalates an unanswered urgent ticket once: note, tag, manager group; later runs and a late reply add nothing', async () => {
    const t = await sam.createTicket({ email: FRESHDESK_REQUESTERS.ana.email, subject: 'Payroll export fails for every company', description: '<p>Since 07:00 no payroll export completes.</p>', priority: 4, status: 2, group_id: FRESHDESK_GROUPS.clientSuccess.id });
    await sam.update(t.id, { responder_id: samOrtiz.id });
    await settle();
    const tracked = await stack.service.store.getSla(ref(t.id));
    expect(tracked?.state.targets.map((c) => [c.target, c.stage, c.goal?.text])).toEqual([
      ['first_response', 'running', '1h'],
      ['resolution', 'running', '4h'],
    ]);

    // Not due yet: the job leaves it alone.
    expect((await slaRun()).summary.enqueued).toBe(0);

    stack.sandboxes.clock.advance(HOUR + 5 * 60_000);
    // Two runs at once (two instances on one schedule) and one after: one event, one escalation.
    const [a, b] = await Promise.all([slaRun(), slaRun()]);
    expect([a.outcome, b.outcome].sort()).toEqual(['ok', 'skipped']);
    stack.service.worker.wake();
    await settle();
    expect((await slaRun()).summary.enqueued).toBe(0);
    await settle();

    expect(notes(t.id)).toHaveLength(1);
    expect(notes(t.id)[0]?.bodyText).toMatch(/SLA breached: first response\. The first response target of 1h for urgent tickets was due .* UTC; the ticket is 5m late\./);
    expect(notes(t.id)[0]?.bodyText).toMatch(/escalated to CS Management/);
    expect(stack.sandboxes.freshdesk.ticket(t.id)).toMatchObject({ groupId: FRESHDESK_GROUPS.csManagement.id, responderId: null });
    expect(stack.sandboxes.freshdesk.ticket(t.id)?.tags).toContain('sla-breached');
    const decisions = await stack.service.store.listDecisions({ ticket: ref(t.id) });
    expect(decisions.filter((d) => d.ruleId === 'S2').map((d) => d.verdict)).toEqual(['corrected']);
    // The move to the manager is our own S2 write: the ladder (E2) does not send it back.
    expect(decisions.filter((d) => d.ruleId === 'E2' && d.verdict !== 'ok')).toEqual([]);
    expect((await stack.service.store.listHandoffs(ref(t.id))).filter((h) => h.toGroupId === String(FRESHDESK_GROUPS.csManagement.id))).toHaveLength(1);
    const kept = await stack.service.store.getSla(ref(t.id));
    expect(kept?.state.escalations).toEqual([expect.objectContaining({ target: 'first_response', escalated: true, reassignedTo: String(FRESHDESK_GROUPS.csManagement.id) })]);
    // Resolution is still running: the job looks again at its due time, not before.
    expect(kept?.nextCheckAt?.toISOString()).toBe(kept?.state.targets.find((c) => c.target === 'resolution')?.dueAt);

    // The first reply comes late: recorded as met late, not escalated again.
    await sam.reply(t.id, '<p>We found the cause and are fixing the export now.</p>');
    await settle();
    const after = await stack.service.store.listDecisions({ ticket: ref(t.id), ruleId: 'S2' });
    expect(after.map((d) => d.verdict).sort()).toEqual(['corrected', 'info']);
    expect(after.find((d) => d.verdict === 'info')?.summary).toMatch(/first response met late.*it had been escalated/);
    expect(notes(t.id)).toHaveLength(1);
    expect((await stack.service.store.getSla(ref(t.id)))?.state.targets[0]).toMatchObject({ stage: 'met_late' });
  });

  it('a pending ticket’s clock stops: no breach while it waits on the requester', async () => {
    const t = await sam.createTicket({ email: FRESHDESK_REQUESTERS.ana.email, subject: 'Question about the annual invoice', description: '<p>Which VAT rate applies?</p>', priority: 4, status: 2, group_id: FRESHDESK_GROUPS.clientSuccess.id });
    await settle();
    await sam.update(t.id, { status: 3 });
    await settle();
    stack.sandboxes.clock.advance(3 * HOUR);
    await slaRun();
    stack.service.worker.wake();
    await settle();
    expect(notes(t.id)).toHaveLength(0);
    const kept = await stack.service.store.getSla(ref(t.id));
    expect(kept?.state.targets.map((c) => c.stage)).toEqual(['paused', 'paused']);
    expect(kept?.nextCheckAt).toBeNull();
  });

  it('an attempt that dies after the note (before the tag and the move) finishes on its retry without a second note', async () => {
    const t = await sam.createTicket({ email: FRESHDESK_REQUESTERS.ana.email, subject: 'Login loops back to the sign-in page', description: '<p>Nobody at Northwind can sign in.</p>', priority: 4, status: 2, group_id: FRESHDESK_GROUPS.clientSuccess.id });
    await settle();
    const client = stack.service.clients.helpdesk('freshdesk', 'default') as HelpdeskClient;
    const update = client.updateTicket.bind(client);
    let died = 0;
    client.updateTicket = async (id, patch) => {
      if (id === String(t.id) && patch.tags?.add?.includes('sla-breached') && died === 0) {
        died += 1;
        throw new Error('the worker died here');
      }
      return update(id, patch);
    };
    try {
      stack.sandboxes.clock.advance(HOUR + 60_000);
      await slaRun();
      stack.service.worker.wake();
      await settle();
    } finally {
      client.updateTicket = update;
    }
    expect(died).toBe(1);
    expect(notes(t.id)).toHaveLength(1);
    expect(stack.sandboxes.freshdesk.ticket(t.id)?.tags).toContain('sla-breached');
    expect(stack.sandboxes.freshdesk.ticket(t.id)?.groupId).toBe(FRESHDESK_GROUPS.csManagement.id);
    expect((await stack.service.store.listDecisions({ ticket: ref(t.id), ruleId: 'S2' })).map((d) => d.verdict)).toEqual(['corrected']);
  });

  it('S3: a linked Highest bug past its 2-day fix target is marked once (label, Jira comment, note for the owner)', async () => {
    const t = await sam.createTicket({ email: FRESHDESK_REQUESTERS.ana.email, subject: 'Invoice PDF shows the wrong VAT rate', description: '<p>Steps to reproduce:</p><p>Open any invoice of November.</p><p>Impact:</p><p>Every customer invoice is wrong.</p><p>Environment:</p><p>Production, all browsers</p>', priority: 4, status: 2, group_id: FRESHDESK_GROUPS.clientSuccess.id, tags: ['jira-bug'] });
    await sam.update(t.id, { responder_id: samOrtiz.id });
    await settle();
    const link = await stack.service.store.getLinkByTicket(ref(t.id));
    expect(link).toMatchObject({ state: 'linked', kind: 'bug' });
    const key = link?.issueKey as string;
    expect(stack.sandboxes.jira.issue(key)?.labels).not.toContain('fix-overdue');
    const fix = (await stack.service.store.getSla(ref(t.id)))?.state.fix;
    expect(fix).toMatchObject({ issueKey: key, jiraPriority: 'Highest', goal: { text: '2d' }, markedAt: null });

    stack.sandboxes.clock.advance(2 * 24 * HOUR + HOUR);
    for (let i = 0; i < 2; i += 1) {
      await slaRun();
      stack.service.worker.wake();
      await settle();
    }
    const overdueComments = stack.sandboxes.jira.comments(key).filter((c) => /Fix overdue/.test(JSON.stringify(c.body)));
    const overdueNotes = stack.sandboxes.freshdesk.conversations(t.id).filter((c) => c.private && /Fix overdue/.test(c.bodyText));
    expect(stack.sandboxes.jira.issue(key)?.labels).toContain('fix-overdue');
    expect(overdueComments).toHaveLength(1);
    expect(overdueNotes).toHaveLength(1);
    expect(overdueNotes[0]?.bodyText).toMatch(new RegExp(`${key} \\(Highest\\) has a fix target of 2d`));
    expect((await stack.service.store.listDecisions({ ticket: ref(t.id), ruleId: 'S3' })).map((d) => d.verdict)).toEqual(['violation']);
    expect((await stack.service.store.getSla(ref(t.id)))?.state.fix?.markedAt).not.toBeNull();
  });
});
