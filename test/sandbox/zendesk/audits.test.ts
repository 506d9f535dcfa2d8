import { previousFromFacts, type EventFacts } from '../../../src/domain/first-sight';
import { ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import { SEEDED_TICKETS, type ZendeskSandbox } from '../../../src/sandbox/zendesk';
import { zendeskEventFacts } from '../../../src/vendors/zendesk/event-facts';
import { api, clientFor, createTicket, startSandbox, WebhookReceiver } from './helpers';

const TIER1 = String(ZENDESK_GROUPS.aegentTier1.id);
const TIER2 = String(ZENDESK_GROUPS.tier2.id);
const DANA = String(ZENDESK_AGENTS.danaFox.id);
const TICKET = SEEDED_TICKETS.dashboardNoData;

let sandbox: ZendeskSandbox;
let url: string;
let receiver: WebhookReceiver;

beforeEach(async () => {
  ({ sandbox, url } = await startSandbox());
  receiver = new WebhookReceiver();
  sandbox.setWebhook({ url: await receiver.start(), secret: 'sandbox-signing-secret' });
});

afterEach(async () => {
  await sandbox.close();
  await receiver.close();
});

/** Dana hands the seeded ticket to Tier 2 with an internal note, as H2 escalations look. */
async function escalate(): Promise<void> {
  const res = await api(url, 'danaFox', 'PUT', `/api/v2/tickets/${TICKET}.json`, {
    ticket: { group_id: Number(TIER2), status: 'pending', priority: 'urgent', comment: { body: 'Escalating to Tier 2: meters offline since Monday.', public: false } },
  });
  expect(res.status).toBe(200);
}

describe('GET /api/v2/tickets/:id/audits.json', () => {
  it('lists every audit oldest first in Zendesk JSON: Create, Change and Comment events', async () => {
    const res = await api(url, 'danaFox', 'GET', `/api/v2/tickets/${TICKET}/audits.json`);

    expect(res.status).toBe(200);
    const audits = res.body.audits as Array<Record<string, unknown> & { events: Array<Record<string, unknown>> }>;
    expect(audits).toHaveLength(2);
    expect(audits[0]).toMatchObject({ ticket_id: TICKET, author_id: ZENDESK_REQUESTERS.maria.id, via: { channel: 'api' }, metadata: { system: {}, custom: {} } });
    expect(audits[0]?.events.map((e) => e.type)).toEqual(['Comment', 'Create', 'Create', 'Create', 'Create', 'Create', 'Create', 'Create', 'Create']);
    expect(audits[0]?.events).toContainEqual(expect.objectContaining({ type: 'Create', field_name: 'group_id', value: TIER1 }));
    expect(audits[1]).toMatchObject({ author_id: ZENDESK_AGENTS.danaFox.id });
    expect(audits[1]?.events).toEqual([
      expect.objectContaining({ type: 'Comment', author_id: ZENDESK_AGENTS.danaFox.id, public: true, body: 'Thanks Maria, we are looking into it.' }),
      expect.objectContaining({ type: 'Change', field_name: 'status', previous_value: 'new', value: 'open' }),
      expect.objectContaining({ type: 'Change', field_name: 'assignee_id', previous_value: null, value: DANA }),
    ]);
    expect(res.body.meta).toMatchObject({ has_more: false });
  });

  it('pages with page[size] and page[after], and answers 404 for an unknown ticket', async () => {
    const first = await api(url, 'danaFox', 'GET', `/api/v2/tickets/${TICKET}/audits.json?page[size]=1`);
    const meta = first.body.meta as { has_more: boolean; after_cursor: string };
    expect(meta.has_more).toBe(true);
    const second = await api(url, 'danaFox', 'GET', `/api/v2/tickets/${TICKET}/audits.json?page[size]=1&page[after]=${encodeURIComponent(meta.after_cursor)}`);
    expect((second.body.audits as Array<{ id: number }>)[0]?.id).toBeGreaterThan((first.body.audits as Array<{ id: number }>)[0]?.id ?? Infinity);

    expect((await api(url, 'danaFox', 'GET', '/api/v2/tickets/999999/audits.json')).status).toBe(404);
  });
});

describe('ZendeskClient.historyFacts against the sandbox', () => {
  it('names the escalation: moves, the note, Dana as the actor', async () => {
    await escalate();
    const client = clientFor(url);
    const ticket = await client.getTicket(String(TICKET));

    const facts = await client.historyFacts(String(TICKET), ticket.updatedAt);

    const note = ticket.comments[ticket.comments.length - 1];
    expect(facts).toEqual({
      actorId: DANA,
      updatedAt: ticket.updatedAt,
      created: false,
      comment: { id: note?.id, authorId: DANA, public: false },
      status: { from: 'open', to: 'pending' },
      priority: { from: 'high', to: 'urgent' },
      group: { from: TIER1, to: TIER2 },
      assignee: { from: DANA, to: null },
    });
  });

  it('rebuilds the ticket as it was before the escalation', async () => {
    const client = clientFor(url);
    const before = await client.getTicket(String(TICKET));
    await escalate();
    const after = await client.getTicket(String(TICKET));

    const previous = previousFromFacts(after, (await client.historyFacts(after.id, after.updatedAt)) as EventFacts);

    expect(previous).toMatchObject({ groupId: before.groupId, assigneeId: before.assigneeId, status: before.status, priority: before.priority });
    expect(previous?.comments.map((c) => c.id)).toEqual(before.comments.map((c) => c.id));
  });

  it('reads a ticket created through the API as new', async () => {
    const id = await createTicket(url, 'danaFox', { subject: 'Export fails', requester_id: ZENDESK_REQUESTERS.tom.id, comment: { body: 'CSV export ends in an error.' } });
    const ticket = await clientFor(url).getTicket(String(id));

    await expect(clientFor(url).historyFacts(String(id), ticket.updatedAt)).resolves.toMatchObject({ created: true, actorId: DANA });
  });

  it('agrees with what each webhook of the same change says', async () => {
    await escalate();
    await sandbox.webhooks.idle();
    const history = await clientFor(url).historyFacts(String(TICKET), null);

    const fromWebhooks = receiver.received.map((r) => zendeskEventFacts(r.body));
    expect(receiver.types()).toEqual(['ticket.comment_added', 'ticket.status_changed', 'ticket.priority_changed', 'ticket.group_assignment_changed', 'ticket.agent_assignment_changed']);
    for (const facts of fromWebhooks) {
      expect(facts).toMatchObject({ actorId: history?.actorId, updatedAt: history?.updatedAt, created: false });
    }
    expect(fromWebhooks[0]?.comment).toEqual(history?.comment);
    expect(fromWebhooks[1]?.status).toEqual(history?.status);
    expect(fromWebhooks[2]?.priority).toEqual(history?.priority);
    expect(fromWebhooks[3]?.group).toEqual(history?.group);
    expect(fromWebhooks[4]?.assignee).toEqual(history?.assignee);
  });
});
