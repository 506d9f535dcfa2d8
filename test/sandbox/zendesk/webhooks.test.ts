import { ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_ORGANIZATIONS, ZENDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import { SEEDED_TICKETS, ZENDESK_ACCOUNT_ID, ZENDESK_WEBHOOK_ID, type ZendeskSandbox } from '../../../src/sandbox/zendesk';
import { parseZendesk, verifyZendesk } from '../../../src/vendors/zendesk/webhook';
import { api, clientFor, startSandbox, WebhookReceiver, type Received } from './helpers';

const SECRET = 'sandbox-signing-secret';
const TIER1 = ZENDESK_GROUPS.aegentTier1.id;
const TIER2 = ZENDESK_GROUPS.tier2.id;
const DANA = ZENDESK_AGENTS.danaFox;
const MARIA = ZENDESK_REQUESTERS.maria;
const TICKET = SEEDED_TICKETS.dashboardNoData;

let sandbox: ZendeskSandbox;
let url: string;
let receiver: WebhookReceiver;

beforeEach(async () => {
  ({ sandbox, url } = await startSandbox());
  receiver = new WebhookReceiver();
  sandbox.setWebhook({ url: await receiver.start(), secret: SECRET });
});

afterEach(async () => {
  await sandbox.close();
  await receiver.close();
});

function verified(r: Received, secret = SECRET): boolean {
  return verifyZendesk(r.headers, r.raw, secret, new Date()).ok;
}

async function settle(): Promise<Received[]> {
  await sandbox.webhooks.idle();
  return receiver.received;
}

describe('Zendesk event-subscription webhooks from the sandbox', () => {
  it('a ticket created through the API sends one signed ticket.created that our verifier and parser accept', async () => {
    const res = await api(url, 'danaFox', 'POST', '/api/v2/tickets.json', {
      ticket: { subject: 'New', comment: { body: 'b' }, requester: { email: 'new.person@managingenergy.com' }, group_id: TIER1, priority: 'urgent' },
    });
    const id = String(res.body.ticket?.id);
    const [delivery, ...rest] = await settle();
    expect(rest).toHaveLength(0);
    if (!delivery) throw new Error('no delivery');

    expect(verified(delivery)).toBe(true);
    expect(verified(delivery, 'another-secret')).toBe(false);
    expect(delivery.headers['x-zendesk-webhook-id']).toBe(ZENDESK_WEBHOOK_ID);
    expect(delivery.headers['x-zendesk-account-id']).toBe(String(ZENDESK_ACCOUNT_ID));
    expect(delivery.headers['x-zendesk-webhook-invocation-id']).toEqual(expect.any(String));
    expect(delivery.headers['x-zendesk-webhook-signature-timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    expect(parseZendesk(delivery.body, delivery.headers)).toEqual({
      kind: 'event',
      event: { entityKey: `ticket:${id}`, eventType: 'ticket.created', deliveryId: delivery.body.id },
    });
    expect(delivery.body).toMatchObject({
      type: 'zen:event-type:ticket.created',
      account_id: ZENDESK_ACCOUNT_ID,
      zendesk_event_version: '2022-11-06',
      subject: `zen:ticket:${id}`,
      detail: {
        id,
        actor_id: String(DANA.id),
        status: 'NEW',
        priority: 'URGENT',
        group_id: String(TIER1),
        assignee_id: null,
        organization_id: String(ZENDESK_ORGANIZATIONS.managingEnergy.id),
        via: { channel: 'api' },
      },
    });
    expect(delivery.body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an escalation with a private note sends comment_added, group and agent assignment changes, attributed to the agent', async () => {
    await api(url, 'danaFox', 'PUT', `/api/v2/tickets/${TICKET}.json`, {
      ticket: { group_id: TIER2, status: 'hold', comment: { body: 'Stuck: meter API returns 500', public: false } },
    });
    const received = await settle();
    expect(receiver.types()).toEqual(['ticket.comment_added', 'ticket.status_changed', 'ticket.group_assignment_changed', 'ticket.agent_assignment_changed']);
    expect(received.every((r) => verified(r))).toBe(true);
    expect(received.every((r) => r.body.detail.actor_id === String(DANA.id))).toBe(true);
    expect(new Set(received.map((r) => r.body.id)).size).toBe(4);

    const [comment, status, group, agent] = received;
    const commentId = String(sandbox.comments(TICKET).at(-1)?.id);
    expect(comment?.body.event).toMatchObject({
      comment: { id: commentId, body: 'Stuck: meter API returns 500', is_public: false, author: { id: String(DANA.id), is_staff: true, name: 'Dana Fox' } },
    });
    expect(status?.body.event).toMatchObject({ current: 'HOLD', previous: 'OPEN' });
    expect(group?.body.event).toMatchObject({ current: String(TIER2), previous: String(TIER1) });
    expect(agent?.body.event).toMatchObject({ current: null, previous: String(DANA.id) });
    expect(agent?.body.detail).toMatchObject({ group_id: String(TIER2), assignee_id: null, status: 'HOLD' });
    // Events of one action share a sequence id.
    const sequences = received.map((r) => (r.body.event.meta as { sequence: { id: string } }).sequence.id);
    expect(new Set(sequences).size).toBe(1);
  });

  it('a requester reply played by the integration user is attributed to the requester, not to the integration', async () => {
    await api(url, 'integration', 'PUT', `/api/v2/tickets/${TICKET}.json`, { ticket: { comment: { body: 'Still broken', author_id: MARIA.id } } });
    const [reply] = await settle();
    expect(receiver.types()).toEqual(['ticket.comment_added']);
    expect(reply?.body.detail.actor_id).toBe(String(MARIA.id));
    expect(reply?.body.event).toMatchObject({ comment: { is_public: true, author: { id: String(MARIA.id), is_staff: false, name: 'Maria Keller' } } });
  });

  it('our client’s writes fire the matching events: tags, priority, organisation, private note by the integration user', async () => {
    const client = clientFor(url);
    await client.updateTicket(String(TICKET), { tags: { add: ['jira-bug'], remove: ['dashboard'] } });
    await client.updateTicket(String(TICKET), { organisationId: String(ZENDESK_ORGANIZATIONS.managingEnergy.id) });
    await api(url, 'danaFox', 'PUT', `/api/v2/tickets/${TICKET}.json`, { ticket: { priority: 'low' } });
    await client.addPrivateNote(String(TICKET), '<p>Linked SUP-9</p>');
    const received = await settle();

    expect(receiver.types()).toEqual([
      'ticket.tags_changed',
      'ticket.tags_changed',
      'ticket.organization_changed',
      'ticket.priority_changed',
      'ticket.comment_added',
    ]);
    expect(received[0]?.body.event).toMatchObject({ tags_added: ['jira-bug'], tags_removed: [], current: ['dashboard', 'jira-bug'], previous: ['dashboard'] });
    expect(received[1]?.body.event).toMatchObject({ tags_added: [], tags_removed: ['dashboard'] });
    expect(received[2]?.body.event).toMatchObject({ current: String(ZENDESK_ORGANIZATIONS.managingEnergy.id), previous: String(ZENDESK_ORGANIZATIONS.ycdsb.id) });
    expect(received[3]?.body.event).toMatchObject({ current: 'LOW', previous: 'HIGH' });
    expect(received[3]?.body.detail.actor_id).toBe(String(DANA.id));
    expect(received[4]?.body.detail.actor_id).toBe(String(ZENDESK_AGENTS.integration.id));
    expect(received[4]?.body.event).toMatchObject({ comment: { is_public: false, body: 'Linked SUP-9' } });
    expect(received.map((r) => parseZendesk(r.body, r.headers))).toEqual(
      received.map((r) => ({ kind: 'event', event: { entityKey: `ticket:${TICKET}`, eventType: r.body.type.replace('zen:event-type:', ''), deliveryId: r.body.id } })),
    );
  });

  it('fires nothing for writes that change nothing, and nothing without a target', async () => {
    await api(url, 'danaFox', 'PUT', `/api/v2/tickets/${TICKET}.json`, { ticket: { status: 'open' } });
    await api(url, 'danaFox', 'PUT', `/api/v2/tickets/${TICKET}/tags.json`, { tags: ['dashboard'] });
    expect(await settle()).toHaveLength(0);

    sandbox.setWebhook(null);
    await api(url, 'danaFox', 'PUT', `/api/v2/tickets/${TICKET}.json`, { ticket: { status: 'pending' } });
    expect(await settle()).toHaveLength(0);
    expect(sandbox.ticket(TICKET)?.status).toBe('pending');
  });

  it('retries a delivery the receiver failed, with the same event and invocation id and a valid signature', async () => {
    receiver.failNext = 1;
    await api(url, 'danaFox', 'PUT', `/api/v2/tickets/${TICKET}.json`, { ticket: { priority: 'urgent' } });
    const received = await settle();
    expect(receiver.attempts).toBe(2);
    expect(received).toHaveLength(1);
    expect(verified(received[0] as Received)).toBe(true);
    expect(sandbox.webhooks.deliveries[0]).toMatchObject({ attempts: 2, status: 200, dropped: false });
    expect(received[0]?.headers['x-zendesk-webhook-invocation-id']).toBe(sandbox.webhooks.deliveries[0]?.deliveryId);
  });
});
