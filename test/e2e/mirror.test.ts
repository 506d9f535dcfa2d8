import { JiraUser, ZendeskAgent, FreshdeskAgent } from '../../src/sandbox/demo/actors';
import { FRESHDESK_AGENTS, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS, JIRA_USERS, ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../../src/sandbox/seed-people';
import type { EntityRef } from '../../src/domain/ticket';
import { INTEGRATION_ACTORS } from '../../src/sandbox/world';
import { settled, startStack, until, type Stack } from './stack';
import { createLogger } from '../../src/logging/logger';
import { runJob } from '../../src/sync/jobs/run-job';

const zd = (id: number): EntityRef => ({ vendor: 'zendesk', connectionId: 'default', id: String(id) });

/**
 * Rules M1-M5 through the sandboxes and the real server: what reaches the other side, exactly
 * once, and what never comes back (our own writes). The pure mirror's tables are in test/mirror.
 */
const { danaFox, integration: zdUs } = ZENDESK_AGENTS;
const jiraUs = JIRA_USERS.integration.accountId;

const BUG = [
  'The invoice export stops after a minute.',
  'Steps to reproduce:',
  '1. Billing > Invoices',
  '2. Export as PDF',
  'Impact: finance cannot send invoices',
  'Environment: production EU, Chrome 131',
].join('\n');

describe('two-way mirroring on Zendesk (M1-M5)', () => {
  let stack: Stack;
  let dana: ZendeskAgent;
  let tech1: JiraUser;
  let priya: JiraUser;

  beforeAll(async () => {
    stack = await startStack();
    dana = new ZendeskAgent(stack.sandboxes.urls.zendesk, danaFox.email, danaFox.apiKey);
    tech1 = new JiraUser(stack.sandboxes.urls.jira, JIRA_USERS.tech1.email, JIRA_USERS.tech1.apiToken);
    priya = new JiraUser(stack.sandboxes.urls.jira, JIRA_USERS.priya.email, JIRA_USERS.priya.apiToken);
  });
  afterAll(async () => stack.stop());

  const zdRef = (id: number): EntityRef => ({ vendor: 'zendesk', connectionId: 'default', id: String(id) });
  const ourNotes = (id: number) => stack.sandboxes.zendesk.comments(id).filter((c) => c.authorId === zdUs.id);
  const ourJiraComments = (key: string) => stack.sandboxes.jira.comments(key).filter((c) => c.authorId === jiraUs);
  const jiraText = (c: { body: unknown }) => JSON.stringify(c.body);

  /** A Tier 1 ticket owned by Dana, escalated to Jira with everything a bug needs. */
  async function linkedTicket(subject: string): Promise<{ id: number; key: string }> {
    const t = await dana.createTicket({
      subject,
      comment: { body: BUG, public: true },
      requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
      group_id: ZENDESK_GROUPS.aegentTier1.id,
    });
    await dana.update(t.id, { assignee_id: danaFox.id });
    await settled(stack);
    await dana.addTags(t.id, ['jira-bug']);
    await settled(stack);
    const link = await until(async () => {
      const l = await stack.service.store.getLinkByTicket(zdRef(t.id));
      return l?.state === 'linked' ? l : null;
    }, 'the Jira link');
    return { id: t.id, key: link.issueKey as string };
  }

  it('M1: a Jira comment becomes one private note naming its author; M3: a public reply becomes one Jira comment saying the requester saw it', async () => {
    const { id, key } = await linkedTicket('Invoice export stops after a minute');
    const notesBefore = ourNotes(id).length;
    await tech1.comment(key, 'Found it: the PDF renderer times out on large invoices.');
    await settled(stack);
    const m1 = ourNotes(id).slice(notesBefore);
    expect(m1).toHaveLength(1);
    expect(m1[0]).toMatchObject({ public: false });
    expect(m1[0]?.plainBody).toContain('Found it: the PDF renderer times out');
    expect(m1[0]?.plainBody).toContain(JIRA_USERS.tech1.displayName);
    expect(m1[0]?.plainBody).toContain('rule M1');

    const jiraBefore = ourJiraComments(key).length;
    await dana.comment(id, 'We found the cause and engineering is on it.', true);
    await dana.comment(id, 'Internal: customer is on the Enterprise plan.', false);
    await settled(stack);
    const m3 = ourJiraComments(key).slice(jiraBefore);
    expect(m3).toHaveLength(2);
    expect(jiraText(m3[0] as { body: unknown })).toContain('We found the cause');
    expect(jiraText(m3[0] as { body: unknown })).toMatch(/requester saw/i);
    expect(jiraText(m3[1] as { body: unknown })).toMatch(/not visible to the requester/i);
    // Nothing came back: no note on the ticket for our own Jira comments, no comment in Jira for our notes.
    expect(ourNotes(id).slice(notesBefore)).toHaveLength(1);
  });

  it('M2: Jira status changes become notes and the mapped status; Jira done returns the ticket to its owner, open; M4: a reopen moves the issue back to work in progress', async () => {
    const { id, key } = await linkedTicket('Dashboard shows yesterday twice');
    await dana.update(id, { assignee_id: ZENDESK_AGENTS.liWei.id, group_id: ZENDESK_GROUPS.tier2.id });
    await settled(stack);
    await priya.transitionTo(key, 'Work in progress');
    await settled(stack);
    expect(ourNotes(id).some((n) => n.plainBody.includes('Work in progress') && n.plainBody.includes('rule M2'))).toBe(true);

    await priya.transitionTo(key, 'Completed', 'Fixed in release 2026.12');
    await settled(stack);
    expect(stack.sandboxes.zendesk.ticket(id)).toMatchObject({ status: 'open', assigneeId: danaFox.id, groupId: ZENDESK_GROUPS.aegentTier1.id });
    expect(ourNotes(id).some((n) => /ready to confirm/i.test(n.plainBody))).toBe(true);

    await dana.update(id, { status: 'solved' });
    await settled(stack);
    // The requester says it is not fixed: the agent reopens the ticket.
    await dana.comment(id, 'Customer reports the dashboard still doubles.', false, { status: 'open' });
    await settled(stack);
    expect(stack.sandboxes.jira.statusOf(key)).toBe('Work in progress');
    expect(ourJiraComments(key).some((c) => /reopened/i.test(jiraText(c)))).toBe(true);
    const m4 = await stack.service.store.listDecisions({ ticket: zdRef(id), ruleId: 'M4' });
    expect(m4.length).toBeGreaterThan(0);
  });

  it('M5: a long exchange (50 comments each way, status changes, a reopen) costs exactly one write per real change and no read for an echo', async () => {
    const { id, key } = await linkedTicket('Meter readings rounded wrongly');
    const jiraBefore = ourJiraComments(key).length;
    const notesBefore = ourNotes(id).length;
    const reads = () => stack.sandboxes.zendesk.http.calls.all().filter((c) => c.actor === INTEGRATION_ACTORS.zendesk && c.method === 'GET' && c.path === `/api/v2/tickets/${id}.json`).length;
    const jiraReads = () => stack.sandboxes.jira.http.calls.all().filter((c) => c.actor === INTEGRATION_ACTORS.jira && c.method === 'GET' && /\/issue\/[^/]+$/.test(c.path)).length;
    const readsBefore = reads();
    const jiraReadsBefore = jiraReads();
    for (let i = 1; i <= 50; i += 1) {
      await tech1.comment(key, `Engineering update ${i}`);
      await dana.comment(id, `Support update ${i}`, i % 2 === 0);
    }
    // Settled between the two: a fetch made after both would rightly see only the second (its
    // event's fetch covers the first), and this test counts one note per status seen.
    await priya.transitionTo(key, 'Work in progress');
    await settled(stack);
    await priya.transitionTo(key, 'Completed', 'Done for real');
    await settled(stack);
    await dana.update(id, { status: 'solved' });
    await settled(stack);
    await dana.update(id, { status: 'open' });
    await settled(stack);

    const jiraComments = ourJiraComments(key).slice(jiraBefore).map(jiraText);
    const supportMirrored = jiraComments.filter((t) => t.includes('Support update'));
    expect(supportMirrored).toHaveLength(50);
    expect(new Set(supportMirrored.map((t) => /Support update (\d+)/.exec(t)?.[1])).size).toBe(50);
    expect(jiraComments.filter((t) => /reopened/i.test(t))).toHaveLength(1);
    expect(jiraComments.filter((t) => t.includes('Engineering update'))).toHaveLength(0);

    const notes = ourNotes(id).slice(notesBefore).map((n) => n.plainBody);
    const engineeringMirrored = notes.filter((t) => t.includes('Engineering update'));
    expect(engineeringMirrored).toHaveLength(50);
    expect(new Set(engineeringMirrored.map((t) => /Engineering update (\d+)/.exec(t)?.[1])).size).toBe(50);
    expect(notes.filter((t) => t.includes('Support update'))).toHaveLength(0);
    // One M2 note per Jira status change (Work in progress, Completed), plus the comment the
    // Completed transition carried (M1).
    expect(notes.filter((t) => t.includes('rule M2'))).toHaveLength(2);
    expect(notes.filter((t) => t.includes('Done for real'))).toHaveLength(1);

    // Reads: at most one ticket read per real helpdesk change (50 comments, solve, reopen),
    // none for the echoes of our 50 notes and status writes. Jira sends two webhooks per
    // comment (comment_created and jira:issue_updated), so its reads are bounded per webhook
    // of a real change; the echo-free read count is pinned down one comment at a time below.
    // Plus one read before each M2 status write (Work in progress, Completed): the ticket as it is now.
    expect(reads() - readsBefore).toBeLessThanOrEqual(50 + 2 + 2);
    expect(jiraReads() - jiraReadsBefore).toBeLessThanOrEqual(2 * (50 + 3));
    const inbox = await stack.service.store.inboxCounts();
    expect(inbox).toMatchObject({ pending: 0, processing: 0, dead: 0 });
  }, 120_000);
});

describe('M5: the echo of a mirrored comment costs no read', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.stop());

  it('one comment each way: one read of the real change, one write, and no read of the side we wrote to', async () => {
    const dana = new ZendeskAgent(stack.sandboxes.urls.zendesk, danaFox.email, danaFox.apiKey);
    const tech1 = new JiraUser(stack.sandboxes.urls.jira, JIRA_USERS.tech1.email, JIRA_USERS.tech1.apiToken);
    const t = await dana.createTicket({
      subject: 'Alerts sent to removed users',
      comment: { body: BUG, public: true },
      requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
      group_id: ZENDESK_GROUPS.aegentTier1.id,
      assignee_id: danaFox.id,
      tags: ['jira-bug'],
    });
    await settled(stack);
    const key = (await stack.service.store.getLinkByTicket({ vendor: 'zendesk', connectionId: 'default', id: String(t.id) }))?.issueKey as string;
    const calls = (vendor: 'zendesk' | 'jira', since: number) => stack.sandboxes[vendor].http.calls.since(since, { actor: INTEGRATION_ACTORS[vendor] }).map((c) => `${c.method} ${c.endpoint}`);

    let since = Date.now();
    await tech1.comment(key, 'The alert job reads a stale user cache.');
    await settled(stack);
    expect(calls('zendesk', since)).toEqual(['PUT /api/v2/tickets/:id.json']);
    expect(calls('jira', since).filter((c) => c.startsWith('POST') || c.startsWith('PUT'))).toEqual([]);

    since = Date.now();
    await dana.comment(t.id, 'Thanks, I told the customer.', true);
    await settled(stack);
    expect(calls('jira', since)).toEqual(['POST /rest/api/3/issue/:idOrKey/comment']);
    expect(calls('zendesk', since).filter((c) => !c.startsWith('GET'))).toEqual([]);
  });
});

describe('M6 through the mirror: a missed webhook recovered by a poll, a drifted pair reconciled', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.stop());

  const run = (job: 'poll' | 'reconcile') =>
    runJob({ loaded: stack.service.loaded, store: stack.service.store, clients: stack.service.clients, logger: createLogger({ level: 'silent' }), onEnqueued: () => stack.service.worker.wake() }, { job });

  it('a Jira comment whose webhooks were lost reaches the ticket after one poll; a status and priority changed behind our back are repaired by reconcile', async () => {
    const dana = new ZendeskAgent(stack.sandboxes.urls.zendesk, danaFox.email, danaFox.apiKey);
    const tech1 = new JiraUser(stack.sandboxes.urls.jira, JIRA_USERS.tech1.email, JIRA_USERS.tech1.apiToken);
    const priya = new JiraUser(stack.sandboxes.urls.jira, JIRA_USERS.priya.email, JIRA_USERS.priya.apiToken);
    const t = await dana.createTicket({
      subject: 'Tariff change not applied',
      comment: { body: BUG, public: true },
      requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
      group_id: ZENDESK_GROUPS.aegentTier1.id,
      assignee_id: danaFox.id,
      priority: 'high',
      tags: ['jira-bug'],
    });
    await settled(stack);
    const ref = zd(t.id);
    const key = (await stack.service.store.getLinkByTicket(ref))?.issueKey as string;
    const notes = () => stack.sandboxes.zendesk.comments(t.id).filter((c) => c.authorId === zdUs.id && c.plainBody.includes('new tariff table'));

    // Both of the comment's webhooks are lost.
    stack.sandboxes.jira.http.faults.set({ dropWebhooksNext: 2 });
    await tech1.comment(key, 'The new tariff table was never loaded into billing.');
    await settled(stack);
    expect(notes()).toHaveLength(0);
    expect((await run('poll')).outcome).toBe('ok');
    await settled(stack);
    expect(notes()).toHaveLength(1);
    expect((await run('poll')).outcome).toBe('ok');
    await settled(stack);
    expect(notes()).toHaveLength(1);

    // Drift: Jira moves to Work in progress and its priority is lowered, webhooks lost.
    stack.sandboxes.jira.http.faults.set({ dropWebhooksNext: 10 });
    await priya.transitionTo(key, 'Work in progress');
    await priya.edit(key, { priority: { name: 'Low' } });
    await stack.sandboxes.webhooksIdle();
    stack.sandboxes.jira.http.faults.clear();
    expect((await run('reconcile')).outcome).toBe('ok');
    await settled(stack);
    // Jira owns the engineering status: the ticket follows (Zendesk shows in progress as open);
    // the helpdesk owns the priority: Jira's goes back to High.
    expect(stack.sandboxes.jira.issue(key)?.priorityId).toBe('2');
    const m6 = await stack.service.store.listDecisions({ ticket: ref, ruleId: 'M6' });
    expect(m6.map((d) => d.verdict)).toContain('corrected');
    expect(m6.some((d) => /priority/.test(d.summary))).toBe(true);
    // A second reconcile finds nothing left to repair.
    const before = (await stack.service.store.listDecisions({ ticket: ref, ruleId: 'M6' })).length;
    await run('reconcile');
    await settled(stack);
    expect((await stack.service.store.listDecisions({ ticket: ref, ruleId: 'M6' })).length).toBe(before);
  });
});

describe('first sight: a ticket the service never saw (H2 from an empty database)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.stop());

  it('a Tier 1 to Tier 2 group change with a person assigned, on a ticket created before we were installed, is judged by the event: H2 fires, it is not a new ticket', async () => {
    const dana = new ZendeskAgent(stack.sandboxes.urls.zendesk, danaFox.email, danaFox.apiKey);
    // Before install: nobody listens.
    stack.sandboxes.connect(null);
    const t = await dana.createTicket({
      subject: 'Gateway drops readings at night',
      comment: { body: 'Readings from 01:00 to 04:00 are missing.', public: true },
      requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
      group_id: ZENDESK_GROUPS.aegentTier1.id,
      assignee_id: danaFox.id,
    });
    await dana.comment(t.id, 'Gateway logs attached; nightly job restarts it.', false);
    await stack.sandboxes.webhooksIdle();
    expect(await stack.service.store.getSnapshot({ vendor: 'zendesk', connectionId: 'default', id: String(t.id) })).toBeNull();
    stack.sandboxes.connect(stack.service.url);

    await dana.comment(t.id, 'Escalating to MEI.', false, { group_id: ZENDESK_GROUPS.tier2.id, assignee_id: ZENDESK_AGENTS.liWei.id });
    await settled(stack);
    const ref: EntityRef = { vendor: 'zendesk', connectionId: 'default', id: String(t.id) };
    const h2 = await stack.service.store.listDecisions({ ticket: ref, ruleId: 'H2' });
    expect(h2.map((d) => d.verdict)).toContain('corrected');
    expect(stack.sandboxes.zendesk.ticket(t.id)).toMatchObject({ groupId: ZENDESK_GROUPS.tier2.id, assigneeId: null });
    // Judged on the event, not as a new ticket: the group change is a handoff in the trail.
    const trail = await stack.service.store.listHandoffs(ref);
    expect(trail.map((h) => [h.direction, h.fromGroupId, h.toGroupId])).toEqual([['escalate', String(ZENDESK_GROUPS.aegentTier1.id), String(ZENDESK_GROUPS.tier2.id)]]);
  });
});

describe('two-way mirroring on Freshdesk (M1, M3)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack.stop());

  it('a Jira comment reaches the Freshdesk ticket as one private note; a reply reaches Jira as one comment', async () => {
    const { samOrtiz, integration } = FRESHDESK_AGENTS;
    const sam = new FreshdeskAgent(stack.sandboxes.urls.freshdesk, samOrtiz.apiKey);
    const tech1 = new JiraUser(stack.sandboxes.urls.jira, JIRA_USERS.tech1.email, JIRA_USERS.tech1.apiToken);
    const t = await sam.createTicket({
      email: FRESHDESK_REQUESTERS.ana.email,
      subject: 'CSV import rejects semicolons',
      description: `<p>${BUG.split('\n').join('</p><p>')}</p>`,
      priority: 2,
      status: 2,
      group_id: FRESHDESK_GROUPS.clientSuccess.id,
      tags: ['jira-bug'],
    });
    await sam.update(t.id, { responder_id: samOrtiz.id });
    await settled(stack);
    const link = await stack.service.store.getLinkByTicket({ vendor: 'freshdesk', connectionId: 'default', id: String(t.id) });
    const key = link?.issueKey as string;
    expect(key).toMatch(/^SUP-\d+$/);
    const notes = () => stack.sandboxes.freshdesk.conversations(t.id).filter((c) => c.userId === integration.id && c.private);
    const before = notes().length;
    await tech1.comment(key, 'Semicolon delimiter support ships Friday.');
    await settled(stack);
    expect(notes().slice(before).filter((n) => n.bodyText.includes('Semicolon delimiter support'))).toHaveLength(1);

    await sam.reply(t.id, '<p>Engineering confirmed a fix for Friday.</p>');
    await settled(stack);
    const ours = stack.sandboxes.jira.comments(key).filter((c) => c.authorId === jiraUs).map((c) => JSON.stringify(c.body));
    expect(ours.filter((c) => c.includes('Engineering confirmed a fix'))).toHaveLength(1);
    expect(ours.filter((c) => c.includes('Semicolon delimiter support'))).toHaveLength(0);
  });
});
