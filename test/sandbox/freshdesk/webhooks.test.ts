import type { FreshdeskSandbox } from '../../../src/sandbox/freshdesk';
import { FRESHDESK_AGENTS, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import { parseFreshdesk, verifyFreshdesk } from '../../../src/vendors/freshdesk/webhook';
import { call, clientFor, createTicket, startReceiver, startSandbox, type ReceivedWebhook } from './helpers';

const SECRET = 'fd-webhook-secret-123';
const { samOrtiz, alexChen, integration } = FRESHDESK_AGENTS;
const { ana } = FRESHDESK_REQUESTERS;

const TEMPLATE_KEYS = [
  'event',
  'ticket_id',
  'ticket_url',
  'subject',
  'status',
  'priority',
  'group',
  'agent_email',
  'requester_email',
  'tags',
  'triggered_event',
  'latest_public_comment',
  'latest_private_comment',
];

describe('Freshdesk sandbox automation webhooks', () => {
  let sandbox: FreshdeskSandbox;
  let base: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeEach(async () => {
    ({ sandbox, base } = await startSandbox());
    receiver = await startReceiver();
    sandbox.setWebhook({ url: receiver.url, secret: SECRET });
  });
  afterEach(async () => {
    await sandbox.close();
    await receiver.close();
  });

  /** Everything received so far, each checked as helpdesk-sync's intake would check it. */
  async function delivered(): Promise<ReceivedWebhook[]> {
    await sandbox.webhooks.idle();
    for (const hook of receiver.received) {
      expect(verifyFreshdesk(hook.headers, hook.raw, SECRET)).toEqual({ ok: true });
      expect(Object.keys(hook.body).sort()).toEqual([...TEMPLATE_KEYS].sort());
      for (const value of Object.values(hook.body)) expect(typeof value).toBe('string');
    }
    return receiver.received;
  }

  it('fires the creation rule once, with labels and the ticket id', async () => {
    const id = await createTicket(base, samOrtiz.apiKey, {
      email: ana.email,
      subject: 'Export fails',
      priority: 3,
      tags: ['billing', 'vip'],
      group_id: FRESHDESK_GROUPS.clientSuccess.id,
      responder_id: samOrtiz.id,
    });

    const hooks = await delivered();

    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.body).toEqual({
      event: 'ticket_created',
      ticket_id: String(id),
      ticket_url: `${base}/helpdesk/tickets/${id}`,
      subject: 'Export fails',
      status: 'Open',
      priority: 'High',
      group: 'Client Success',
      agent_email: samOrtiz.email,
      requester_email: ana.email,
      tags: 'billing,vip',
      triggered_event: '{ticket_action:created}',
      latest_public_comment: '',
      latest_private_comment: '',
    });
    expect(parseFreshdesk(hooks[0]!.body)).toEqual({ kind: 'event', event: { entityKey: `ticket:${id}`, eventType: 'ticket_created', deliveryId: null } });
  });

  it('fires the update rule once per change: update, note, reply, customer note', async () => {
    const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email });
    await call(base, samOrtiz.apiKey, 'PUT', `/api/v2/tickets/${id}`, { status: 3, priority: 2 });
    await call(base, alexChen.apiKey, 'POST', `/api/v2/tickets/${id}/notes`, { body: '<p>Looked at the logs</p>' });
    await call(base, samOrtiz.apiKey, 'POST', `/api/v2/tickets/${id}/reply`, { body: '<p>Fixed now</p>' });
    await call(base, samOrtiz.apiKey, 'POST', `/api/v2/tickets/${id}/notes`, { body: '<p>Thanks!</p>', incoming: true, private: false, user_id: ana.id });
    await call(base, samOrtiz.apiKey, 'PUT', `/api/v2/tickets/${id}`, { group_id: FRESHDESK_GROUPS.appSupport.id });

    const hooks = await delivered();

    expect(hooks.map((h) => h.body['event'])).toEqual(['ticket_created', 'ticket_updated', 'ticket_updated', 'ticket_updated', 'ticket_updated', 'ticket_updated']);
    expect(hooks.map((h) => h.body['triggered_event'])).toEqual([
      '{ticket_action:created}',
      '{status:{from:2,to:3}}',
      '{note_type:private}',
      '{reply_sent:sent}',
      '{note_type:public}',
      `{group_id:{from:null,to:${FRESHDESK_GROUPS.appSupport.id}}}`,
    ]);
    expect(hooks[1]!.body).toMatchObject({ status: 'Pending', priority: 'Medium' });
    expect(hooks[2]!.body).toMatchObject({ latest_private_comment: '<p>Looked at the logs</p>', latest_public_comment: '' });
    expect(hooks[3]!.body).toMatchObject({ latest_public_comment: '<p>Fixed now</p>' });
    expect(hooks[4]!.body).toMatchObject({ latest_public_comment: '<p>Thanks!</p>', latest_private_comment: '<p>Looked at the logs</p>' });
    expect(hooks[5]!.body).toMatchObject({ group: 'App Support' });
    for (const hook of hooks) {
      expect(parseFreshdesk(hook.body)).toMatchObject({ kind: 'event', event: { entityKey: `ticket:${id}` } });
    }
  });

  it('fires for the integration user too, but not for an update that changes nothing', async () => {
    const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email, tags: ['vip'] });
    await call(base, samOrtiz.apiKey, 'PUT', `/api/v2/tickets/${id}`, { tags: ['vip'] });
    await clientFor(base, integration.apiKey).addPrivateNote(String(id), '<p>[helpdesk-sync] linked SUP-9</p>');

    const hooks = await delivered();

    expect(hooks.map((h) => h.body['triggered_event'])).toEqual(['{ticket_action:created}', '{note_type:private}']);
  });

  it('sends a secret that a receiver with another secret refuses', async () => {
    await createTicket(base, samOrtiz.apiKey, { email: ana.email });
    await sandbox.webhooks.idle();

    const hook = receiver.received[0]!;
    expect(hook.headers['x-webhook-secret']).toBe(SECRET);
    expect(verifyFreshdesk(hook.headers, hook.raw, 'some-other-secret')).toMatchObject({ ok: false });
  });

  it('sends nothing once the webhook is removed', async () => {
    sandbox.setWebhook(null);
    await createTicket(base, samOrtiz.apiKey, { email: ana.email });
    await sandbox.webhooks.idle();
    expect(receiver.received).toHaveLength(0);
  });
});
