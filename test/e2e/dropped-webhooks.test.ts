import type { Ticket } from '../../src/domain/ticket';
import { ZendeskAgent } from '../../src/sandbox/demo/actors';
import { ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../../src/sandbox/seed-people';
import { INTEGRATION_ACTORS } from '../../src/sandbox/world';
import { settled, startStack, type Stack } from './stack';

/**
 * What happens when a vendor loses a webhook, until the scheduled poll (rule M6) exists:
 * helpdesk-sync always reads the whole ticket, so any later webhook of the same ticket
 * recovers everything missed before it; a change whose webhook is lost and that nothing
 * follows stays unseen. Both halves are asserted, so the day polling lands this test must change.
 */
describe('dropped webhooks (before polling lands)', () => {
  let stack: Stack;
  let dana: ZendeskAgent;

  beforeAll(async () => {
    stack = await startStack();
    const { danaFox } = ZENDESK_AGENTS;
    dana = new ZendeskAgent(stack.sandboxes.urls.zendesk, danaFox.email, danaFox.apiKey);
  });
  afterAll(async () => stack.stop());

  const snapshot = async (id: number) =>
    (await stack.service.store.getSnapshot({ vendor: 'zendesk', connectionId: 'default', id: String(id) }))?.data as Ticket | undefined;
  const readsOf = (id: number) =>
    stack.sandboxes.zendesk.http.calls.all().filter((c) => c.actor === INTEGRATION_ACTORS.zendesk && c.path === `/api/v2/tickets/${id}.json`).length;

  const create = (subject: string) =>
    dana.createTicket({
      subject,
      comment: { body: `${subject}: details in the attached log.`, public: true },
      requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
      group_id: ZENDESK_GROUPS.aegentTier1.id,
    });

  it('a ticket whose only webhook was lost stays unknown', async () => {
    stack.sandboxes.zendesk.http.faults.set({ dropWebhooksNext: 1 });
    const lost = await create('Meter 31 reports negative usage');
    await settled(stack);
    expect(stack.sandboxes.zendesk.webhooks.deliveries.filter((d) => d.entity === `ticket:${lost.id}`).map((d) => d.dropped)).toEqual([true]);
    expect(readsOf(lost.id)).toBe(0);
    expect(await snapshot(lost.id)).toBeUndefined();
  });

  it('the next webhook of the same ticket recovers what the lost one carried', async () => {
    stack.sandboxes.zendesk.http.faults.set({ dropWebhooksNext: 1 });
    const ticket = await create('Tariff import skips weekends');
    await dana.update(ticket.id, { assignee_id: ZENDESK_AGENTS.danaFox.id });
    await settled(stack);
    const seen = await snapshot(ticket.id);
    expect(seen).toMatchObject({ subject: 'Tariff import skips weekends', assigneeId: String(ZENDESK_AGENTS.danaFox.id), groupId: String(ZENDESK_GROUPS.aegentTier1.id) });
    expect(seen?.comments).toHaveLength(1);
  });

  it('a lost webhook of a later change leaves helpdesk-sync with the state before it', async () => {
    const ticket = await create('Dashboard timezone is off by one hour');
    await settled(stack);
    // One update, several events (comment_added, group_assignment_changed): all of them lost.
    stack.sandboxes.zendesk.http.faults.set({ dropWebhooksNext: 10 });
    await dana.comment(ticket.id, 'Escalating: DST handling in the ingest job.', false, { group_id: ZENDESK_GROUPS.tier2.id, assignee_id: null });
    stack.sandboxes.zendesk.http.faults.clear();
    await settled(stack);
    const lost = stack.sandboxes.zendesk.webhooks.deliveries.filter((d) => d.entity === `ticket:${ticket.id}` && d.dropped);
    expect(lost.map((d) => d.eventType).sort()).toEqual(['zen:event-type:ticket.comment_added', 'zen:event-type:ticket.group_assignment_changed']);
    const inVendor = stack.sandboxes.zendesk.ticket(ticket.id);
    const seen = await snapshot(ticket.id);
    expect(inVendor?.groupId).toBe(ZENDESK_GROUPS.tier2.id);
    // Stale: still the Tier 1 group, one comment. The poll of rule M6 is what will catch this.
    expect(seen?.groupId).toBe(String(ZENDESK_GROUPS.aegentTier1.id));
    expect(seen?.comments).toHaveLength(1);
  });
});
