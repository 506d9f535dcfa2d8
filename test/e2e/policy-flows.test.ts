import { FreshdeskAgent, ZendeskAgent } from '../../src/sandbox/demo/actors';
import { FRESHDESK_AGENTS, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS, ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../../src/sandbox/seed-people';
import { createLogger } from '../../src/logging/logger';
import { sweepConsults } from '../../src/sync/sweeps';
import { settled, startStack, type Stack } from './stack';

/**
 * The scenarios' flows through the sandboxes and the real server: what the policy engine decides
 * and what it changes at the vendor (the Freshdesk ladder and its consults; the Zendesk handoff in
 * warn mode). The pure engine's rule tables are in test/policy.
 */
const { samOrtiz, zacWarren, heather, integration } = FRESHDESK_AGENTS;

describe('Freshdesk ladder through the sandbox', () => {
  let stack: Stack;
  let sam: FreshdeskAgent;
  let heatherAgent: FreshdeskAgent;

  beforeAll(async () => {
    stack = await startStack();
    sam = new FreshdeskAgent(stack.sandboxes.urls.freshdesk, samOrtiz.apiKey);
    heatherAgent = new FreshdeskAgent(stack.sandboxes.urls.freshdesk, heather.apiKey);
  });
  afterAll(async () => stack.stop());

  async function ownedBySam(subject: string, tags: string[] = []): Promise<number> {
    const t = await sam.createTicket({ email: FRESHDESK_REQUESTERS.ana.email, subject, description: `<p>${subject}</p>`, priority: 2, status: 2, group_id: FRESHDESK_GROUPS.clientSuccess.id, tags });
    await sam.update(t.id, { responder_id: samOrtiz.id });
    await settled(stack);
    return t.id;
  }
  const ticket = (id: number) => stack.sandboxes.freshdesk.ticket(id);
  const notesByUs = (id: number) => stack.sandboxes.freshdesk.conversations(id).filter((c) => c.userId === integration.id && c.private);
  const decisions = (id: number, ruleId: string) => stack.service.store.listDecisions({ ticket: { vendor: 'freshdesk', connectionId: 'default', id: String(id) }, ruleId });

  it('E2: a CS agent jumping straight to the CS Manager is moved to App Support, once; a deliberate reversal is recorded, not fought', async () => {
    const id = await ownedBySam('Cannot add a second billing contact');
    await sam.update(id, { group_id: FRESHDESK_GROUPS.csManagement.id, responder_id: zacWarren.id });
    await settled(stack);
    expect(ticket(id)).toMatchObject({ groupId: FRESHDESK_GROUPS.appSupport.id, responderId: null });
    expect(notesByUs(id).filter((n) => n.bodyText.includes('rule E2'))).toHaveLength(1);
    expect((await decisions(id, 'E2')).map((d) => d.verdict)).toEqual(['corrected']);

    // Sam insists: the engine does not loop, it records the reversal.
    await sam.update(id, { group_id: FRESHDESK_GROUPS.csManagement.id, responder_id: zacWarren.id });
    await settled(stack);
    expect(ticket(id)).toMatchObject({ groupId: FRESHDESK_GROUPS.csManagement.id, responderId: zacWarren.id });
    expect((await decisions(id, 'E2')).map((d) => d.verdict)).toEqual(['corrected', 'violation']);
    expect(notesByUs(id).filter((n) => n.bodyText.includes('rule E2'))).toHaveLength(1);
  });

  it('E2: a complaint may go straight to the CS Manager', async () => {
    const id = await ownedBySam('Formal complaint about repeated outages', ['complaint']);
    await sam.update(id, { group_id: FRESHDESK_GROUPS.csManagement.id, responder_id: zacWarren.id });
    await settled(stack);
    expect(ticket(id)).toMatchObject({ groupId: FRESHDESK_GROUPS.csManagement.id, responderId: zacWarren.id });
    expect((await decisions(id, 'E2')).map((d) => d.verdict)).toEqual(['ok']);
  });

  it('T1 and T4: a free-mail requester is flagged; the same requester with a similar subject is a possible duplicate naming the earlier ticket', async () => {
    const first = await sam.createTicket({ email: FRESHDESK_REQUESTERS.freeMail.email, subject: 'Password reset link expired', description: '<p>The link says expired.</p>', priority: 2, status: 2 });
    await settled(stack);
    expect(ticket(first.id)?.tags).toContain('unverified-requester-domain');
    expect(notesByUs(first.id).filter((n) => n.bodyText.includes('rule T1'))).toHaveLength(1);

    const second = await sam.createTicket({ email: FRESHDESK_REQUESTERS.freeMail.email, subject: 'Password reset link expired again', description: '<p>Still expired.</p>', priority: 2, status: 2 });
    await settled(stack);
    expect(ticket(second.id)?.tags).toEqual(expect.arrayContaining(['possible-duplicate', 'unverified-requester-domain']));
    const t4 = notesByUs(second.id).filter((n) => n.bodyText.includes('rule T4'));
    expect(t4).toHaveLength(1);
    expect(t4[0]?.bodyText).toContain(String(first.id));
    expect(ticket(first.id)?.tags).not.toContain('possible-duplicate');
  });

  it('E3: an SME consult returns to the owner once the SME has noted and marked the review done', async () => {
    const id = await ownedBySam('Which tariff applies to split meters?');
    await sam.update(id, { group_id: FRESHDESK_GROUPS.experts.id, responder_id: heather.id });
    await settled(stack);
    await heatherAgent.privateNote(id, '<p>Split meters use the commercial tariff from the second meter on.</p>');
    await heatherAgent.addTags(id, ['review-done']);
    await settled(stack);
    expect(ticket(id)).toMatchObject({ groupId: FRESHDESK_GROUPS.clientSuccess.id, responderId: samOrtiz.id });
    expect(ticket(id)?.tags).not.toContain('review-done');
    expect((await decisions(id, 'E3')).some((d) => d.verdict === 'corrected')).toBe(true);
    const owner = await stack.service.store.getOwner({ vendor: 'freshdesk', connectionId: 'default', id: String(id) });
    expect(owner?.ownerId).toBe(String(samOrtiz.id));
  });
});

describe('Zendesk handoff in warn mode (H2)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack('policy:\n  modes:\n    H2: warn\n');
  });
  afterAll(async () => stack.stop());

  it('H2 warn: escalating to a person is noted and recorded, but the assignee stays', async () => {
    const { danaFox, liWei } = ZENDESK_AGENTS;
    const dana = new ZendeskAgent(stack.sandboxes.urls.zendesk, danaFox.email, danaFox.apiKey);
    const t = await dana.createTicket({
      subject: 'Meter 7 shows double readings',
      comment: { body: 'Meter 7 doubles every reading since Friday.', public: true },
      requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
      group_id: ZENDESK_GROUPS.aegentTier1.id,
    });
    await dana.update(t.id, { assignee_id: danaFox.id });
    await settled(stack);
    await dana.comment(t.id, 'Checked the gateway; need MEI.', false, { group_id: ZENDESK_GROUPS.tier2.id, assignee_id: liWei.id });
    await settled(stack);
    expect(stack.sandboxes.zendesk.ticket(t.id)).toMatchObject({ groupId: ZENDESK_GROUPS.tier2.id, assigneeId: liWei.id });
    const h2 = await stack.service.store.listDecisions({ ticket: { vendor: 'zendesk', connectionId: 'default', id: String(t.id) }, ruleId: 'H2' });
    expect(h2.map((d) => d.verdict)).toEqual(['violation']);
    const notes = stack.sandboxes.zendesk.comments(t.id).filter((c) => c.authorId === ZENDESK_AGENTS.integration.id && !c.public);
    expect(notes.filter((n) => n.plainBody.includes('rule H2'))).toHaveLength(1);
  });
});

describe('E3 consult window, swept on a schedule', () => {
  let stack: Stack;

  // 0.0005 hours: the window runs out 1.8 s after the consult starts.
  beforeAll(async () => {
    stack = await startStack('policy:\n  consultWindowHours: 0.0005\n');
  });
  afterAll(async () => stack.stop());

  it('a consult nobody answers goes back to the owner when the sweep runs after the window', async () => {
    const sam = new FreshdeskAgent(stack.sandboxes.urls.freshdesk, samOrtiz.apiKey);
    const t = await sam.createTicket({ email: FRESHDESK_REQUESTERS.ana.email, subject: 'Is the EU region affected?', description: '<p>Question</p>', priority: 2, status: 2, group_id: FRESHDESK_GROUPS.clientSuccess.id });
    await sam.update(t.id, { responder_id: samOrtiz.id });
    await settled(stack);
    await sam.update(t.id, { group_id: FRESHDESK_GROUPS.experts.id, responder_id: heather.id });
    await settled(stack);
    // Still within the window: the sweep queues it, the engine leaves it with Heather.
    const logger = createLogger({ level: 'silent' });
    expect(await sweepConsults(stack.service.store, new Date(), logger)).toBe(1);
    stack.service.worker.wake();
    await settled(stack);
    expect(stack.sandboxes.freshdesk.ticket(t.id)?.responderId).toBe(heather.id);

    // The sandbox's updated_at runs up to a few seconds ahead when changes come within one
    // second (it never repeats a second), and the consult starts at that time: wait past it.
    await new Promise((r) => setTimeout(r, 5_000));
    // Sweeps close together queue a ticket once; this one is the next scheduled run.
    expect(await sweepConsults(stack.service.store, new Date(), logger)).toBe(0);
    expect(await sweepConsults(stack.service.store, new Date(), logger, 0)).toBe(1);
    stack.service.worker.wake();
    await settled(stack);
    expect(stack.sandboxes.freshdesk.ticket(t.id)).toMatchObject({ responderId: samOrtiz.id, groupId: FRESHDESK_GROUPS.clientSuccess.id });
    const e3 = await stack.service.store.listDecisions({ ticket: { vendor: 'freshdesk', connectionId: 'default', id: String(t.id) }, ruleId: 'E3' });
    expect(e3.some((d) => d.verdict === 'corrected' && /window/i.test(d.summary))).toBe(true);
    // Back with its owner: nothing left to sweep.
    expect(await stack.service.store.listTicketsAwayFromOwner()).toEqual([]);
  });
});
