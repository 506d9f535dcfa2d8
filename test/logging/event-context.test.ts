import nock from 'nock';
import request from 'supertest';
import { createApp } from '../../src/http/app';
import { deliveryIdOf, entityLogFields } from '../../src/intake/delivery';
import type { Store } from '../../src/store/types';
import { VendorClients } from '../../src/sync/clients';
import { Dispatcher } from '../../src/sync/dispatcher';
import { EventProcessor } from '../../src/sync/processor';
import { eventLogContext } from '../../src/sync/run-event';
import { Worker } from '../../src/sync/worker';
import { memoryStore, testConfig } from '../helpers/app';
import { SECRETS } from '../helpers/env';
import { fixture, fixtureText } from '../helpers/fixtures';
import { captureLogs } from '../helpers/logs';
import { basicAuth, jiraSignature, zendeskSignature } from '../helpers/sign';

/**
 * An operator follows one delivery from the vendor's side to the end of its processing: the
 * lines of an event's processing (run-event, processor, handlers) carry the vendor's delivery id,
 * our event id and the request id of the webhook that brought it; Jira events name the issue
 * (issueId, issueKey), not a ticket.
 */

const FAST = `
vendorHttp:
  retries: 0
  minRetryDelayMs: 1
  maxRetryDelayMs: 5
worker:
  maxAttempts: 3
  backoffBaseMs: 1000
  backoffMaxMs: 60000
`;
const TS = '2025-01-08T14:25:30Z';
const JIRA_DELIVERY = '3d3c0d0e-4f1b-4c57-9f0a-6e1b2c3d4e5f';
const ZENDESK_EVENT = 'd4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52';
const ZENDESK_WEBHOOK = '01GK8E6BKWMJZD2T8Y5AXJQMG5';

const jiraBody = fixtureText('webhooks/jira-issue-updated.json');
const zendeskBody = fixtureText('webhooks/zendesk-comment-added.json');
const freshdeskBody = fixtureText('webhooks/freshdesk-ticket-updated.json');
const triggerBody = fixtureText('webhooks/zendesk-trigger.json');

type Line = Record<string, unknown>;

function rig() {
  let clock = new Date('2025-01-08T14:25:31Z');
  const now = () => clock;
  const { lines, logger } = captureLogs();
  const loaded = testConfig({}, FAST);
  const store: Store = memoryStore();
  const clients = new VendorClients(loaded.connections, loaded.config, logger);
  // Handlers that only say they ran, with the logger they are given.
  const dispatcher = new Dispatcher()
    .onIssue({ name: 'probe', route: { vendors: ['jira'] }, handle: async ({ logger: log }) => void log.info('issue handler ran') })
    .onTicket({ name: 'probe', route: { vendors: ['freshdesk', 'zendesk'] }, handle: async ({ logger: log }) => void log.info('ticket handler ran') });
  const processor = new EventProcessor({ store, clients, dispatcher, now });
  const worker = new Worker(store, processor, logger, { ...loaded.config.worker, concurrency: 1, workerId: 'log-test', now });
  const app = createApp({ loaded, store, logger, now });
  return { app, store, worker, lines, advance: (ms: number) => (clock = new Date(clock.getTime() + ms)) };
}

type App = ReturnType<typeof rig>['app'];

const postJira = (app: App, requestId: string) =>
  request(app)
    .post('/webhooks/jira')
    .set('Content-Type', 'application/json')
    .set('X-Request-Id', requestId)
    .set('X-Hub-Signature', jiraSignature(SECRETS.jiraWebhook, jiraBody))
    .set('X-Atlassian-Webhook-Identifier', JIRA_DELIVERY)
    .set('X-Atlassian-Webhook-Retry', '0')
    .send(jiraBody);

const postZendesk = (app: App, body: string, extra: Record<string, string> = {}) => {
  const req = request(app)
    .post('/webhooks/zendesk')
    .set('Content-Type', 'application/json')
    .set('X-Zendesk-Webhook-Signature', zendeskSignature(SECRETS.zendeskWebhook, TS, body))
    .set('X-Zendesk-Webhook-Signature-Timestamp', TS)
    .set('X-Zendesk-Webhook-Id', ZENDESK_WEBHOOK);
  for (const [k, v] of Object.entries(extra)) req.set(k, v);
  return req.send(body);
};

const JIRA_AUTH = basicAuth('integration@acme.io', SECRETS.jiraToken);
const ZENDESK_AUTH = basicAuth('integration@acme.io/token', SECRETS.zendeskToken);

function zendeskApi(): nock.Scope {
  return nock('https://acme.zendesk.com', { reqheaders: { authorization: ZENDESK_AUTH } })
    .get('/api/v2/tickets/5158.json')
    .query(true)
    .reply(200, fixture('zendesk/api/ticket-show.json') as nock.Body)
    .get('/api/v2/tickets/5158/comments.json')
    .query(true)
    .reply(200, fixture('zendesk/api/ticket-comments.json') as nock.Body)
    .get('/api/v2/groups.json')
    .query(true)
    .optionally()
    .reply(200, fixture('zendesk/api/groups.json') as nock.Body)
    .get('/api/v2/tickets/5158/audits.json')
    .query(true)
    .optionally()
    .reply(200, fixture('zendesk/api/ticket-audits-page-2.json') as nock.Body);
}

const ofEvent = (lines: Line[], eventId: number) => lines.filter((l) => l.eventId === eventId);
const messages = (lines: Line[]) => lines.map((l) => l.message);

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('the log lines of an event, from its webhook to the end of its processing', () => {
  it('Jira: every line names the delivery (X-Atlassian-Webhook-Identifier), our event and request ids, and the issue, not a ticket', async () => {
    const { app, worker, lines, advance } = rig();
    const answer = await postJira(app, 'lb-req-4711').expect(202);
    const eventId = answer.body.eventId as number;

    // First attempt: Jira answers 503; the second reads the issue.
    nock('https://acme.atlassian.net', { reqheaders: { authorization: JIRA_AUTH } }).get('/rest/api/3/issue/10002').query(true).reply(503, { errorMessages: ['down for maintenance'] });
    expect(await worker.drain()).toBe(1);
    advance(120_000);
    nock('https://acme.atlassian.net', { reqheaders: { authorization: JIRA_AUTH } }).get('/rest/api/3/issue/10002').query(true).reply(200, fixture('jira/api/issue-SUP-311.json') as nock.Body);
    expect(await worker.drain()).toBe(1);

    const own = ofEvent(lines, eventId);
    expect(messages(own)).toEqual(['webhook stored', 'event failed; will retry', 'issue handler ran', 'issue processed']);
    for (const line of own) {
      expect(line).toMatchObject({ vendor: 'jira', connection: 'default', issueId: '10002', eventId, deliveryId: JIRA_DELIVERY, requestId: 'lb-req-4711' });
      expect(line).not.toHaveProperty('ticketId');
    }
    // Processing lines say what the event is, and once the issue is read, its key.
    for (const line of own.slice(1)) expect(line).toMatchObject({ eventType: 'jira:issue_updated', source: 'webhook' });
    for (const line of own.slice(2)) expect(line).toMatchObject({ issueKey: 'SUP-311' });
    expect(lines.some((l) => 'ticketId' in l)).toBe(false);
  });

  it('Zendesk: the event id of the delivery and the webhook that sent it, on every line', async () => {
    const { app, worker, lines } = rig();
    const answer = await postZendesk(app, zendeskBody, { 'X-Zendesk-Webhook-Invocation-Id': '8350205582' }).expect(202);
    const eventId = answer.body.eventId as number;
    zendeskApi();
    expect(await worker.drain()).toBe(1);

    const own = ofEvent(lines, eventId);
    expect(messages(own)).toEqual(['webhook stored', 'ticket handler ran', 'ticket processed']);
    const requestId = answer.headers['x-request-id'] as string;
    for (const line of own) {
      expect(line).toMatchObject({ vendor: 'zendesk', ticketId: '5158', eventId, deliveryId: ZENDESK_EVENT, webhookId: ZENDESK_WEBHOOK, invocationId: '8350205582', requestId });
      expect(line).not.toHaveProperty('issueId');
    }
  });

  it('Zendesk trigger: X-Zendesk-Webhook-Invocation-Id is the delivery id', async () => {
    const { app, store, lines } = rig();
    const answer = await postZendesk(app, triggerBody, { 'X-Zendesk-Webhook-Invocation-Id': '8350205599', 'X-Request-Id': 'req-trigger' }).expect(202);
    expect(ofEvent(lines, answer.body.eventId as number)).toEqual([
      expect.objectContaining({ message: 'webhook stored', ticketId: '5158', deliveryId: '8350205599', webhookId: ZENDESK_WEBHOOK, requestId: 'req-trigger' }),
    ]);
    const [event] = await store.listEvents({});
    // The invocation id is the delivery id: not named twice.
    expect(eventLogContext(event!)).toEqual({
      vendor: 'zendesk',
      connection: 'default',
      ticketId: '5158',
      eventId: event!.id,
      eventType: 'trigger.ticket_updated',
      source: 'webhook',
      deliveryId: '8350205599',
      requestId: 'req-trigger',
      webhookId: ZENDESK_WEBHOOK,
    });
  });

  it('Freshdesk sends no delivery id: the lines say so, the dead letter line included', async () => {
    const { app, worker, lines } = rig();
    const answer = await request(app)
      .post('/webhooks/freshdesk')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Secret', SECRETS.freshdeskWebhook)
      .set('X-Request-Id', 'req-fd-1')
      .send(freshdeskBody)
      .expect(202);
    const eventId = answer.body.eventId as number;
    // The ticket is gone: a 404 on ticket_updated goes to the dead letters at once.
    nock('https://acme.freshdesk.com').get('/api/v2/tickets/4821').query(true).reply(404, { code: 'not_found' });
    expect(await worker.drain()).toBe(1);

    const own = ofEvent(lines, eventId);
    expect(messages(own)).toEqual(['webhook stored', 'event moved to dead letters']);
    for (const line of own) expect(line).toMatchObject({ vendor: 'freshdesk', ticketId: '4821', eventId, deliveryId: 'none (Freshdesk sends no delivery id)', requestId: 'req-fd-1' });
    const text = JSON.stringify(lines);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  });
});

describe('eventLogContext', () => {
  const base = {
    id: 7,
    vendor: 'jira' as const,
    connectionId: 'default',
    entityKey: 'issue:10002',
    eventType: 'poll.issue_changed',
    source: 'poll' as const,
    payload: {},
    headers: {},
    receivedAt: new Date(),
    status: 'processing' as const,
    attempts: 1,
    nextAttemptAt: new Date(),
    lockedBy: 'w',
    lockedUntil: null,
    lastError: null,
    processedAt: null,
  };

  it('names no delivery for what no webhook delivered (a poll), its source says where it came from', () => {
    expect(eventLogContext({ ...base, dedupeKey: 'poll:10002:2025-01-08T14:25:30.000+0000' })).toEqual({
      vendor: 'jira',
      connection: 'default',
      issueId: '10002',
      eventId: 7,
      eventType: 'poll.issue_changed',
      source: 'poll',
    });
  });

  it('keeps the delivery id of a replayed dead letter', () => {
    expect(eventLogContext({ ...base, source: 'replay', dedupeKey: `delivery:${JIRA_DELIVERY}`, headers: { 'x-request-id': 'r-1' } })).toMatchObject({ source: 'replay', deliveryId: JIRA_DELIVERY, requestId: 'r-1' });
  });

  it('reads entity keys and dedupe keys', () => {
    expect(entityLogFields('ticket:4821')).toEqual({ ticketId: '4821' });
    expect(entityLogFields('issue:10002')).toEqual({ issueId: '10002' });
    expect(entityLogFields('odd')).toEqual({ entity: 'odd' });
    expect(deliveryIdOf({ vendor: 'jira', dedupeKey: 'sha256:ab12' })).toBe('none (the delivery had no X-Atlassian-Webhook-Identifier)');
    expect(deliveryIdOf({ vendor: 'zendesk', dedupeKey: 'sla:due:zendesk:default:5158:2025-01-08T14:25:30Z' })).toBeNull();
  });
});
