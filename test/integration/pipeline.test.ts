import nock from 'nock';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import type { Ticket, JiraIssue } from '../../src/domain/ticket';
import { createApp } from '../../src/http/app';
import { createLogger, type Logger } from '../../src/logging/logger';
import type { Store } from '../../src/store/types';
import { VendorClients } from '../../src/sync/clients';
import { Dispatcher } from '../../src/sync/dispatcher';
import { EventProcessor } from '../../src/sync/processor';
import { Worker } from '../../src/sync/worker';
import { memoryStore, testConfig } from '../helpers/app';
import { SECRETS } from '../helpers/env';
import { fixture, fixtureText } from '../helpers/fixtures';
import { basicAuth, jiraSignature, zendeskSignature } from '../helpers/sign';

const FAST_RETRIES = `
vendorHttp:
  retries: 2
  minRetryDelayMs: 1
  maxRetryDelayMs: 5
worker:
  maxAttempts: 3
  backoffBaseMs: 1000
  backoffMaxMs: 60000
`;

const TS = '2025-01-08T14:25:30Z';

function pipeline(logger: Logger = createLogger({ level: 'silent' })) {
  let clock = new Date('2025-01-08T14:25:31Z');
  const now = () => clock;
  const loaded = testConfig({}, FAST_RETRIES);
  const store: Store = memoryStore();
  const clients = new VendorClients(loaded.connections, loaded.config, logger);
  const processor = new EventProcessor({ store, clients, dispatcher: new Dispatcher(), now });
  const worker = new Worker(store, processor, logger, { ...loaded.config.worker, concurrency: 1, workerId: 'test-worker', now });
  const app = createApp({ loaded, store, logger, now });
  return {
    store,
    worker,
    app,
    advance: (ms: number) => {
      clock = new Date(clock.getTime() + ms);
    },
  };
}

const zendeskBody = fixtureText('webhooks/zendesk-comment-added.json');
const jiraBody = fixtureText('webhooks/jira-issue-updated.json');
const freshdeskBody = fixtureText('webhooks/freshdesk-ticket-updated.json');

const postZendesk = (app: ReturnType<typeof pipeline>['app']) =>
  request(app)
    .post('/webhooks/zendesk')
    .set('Content-Type', 'application/json')
    .set('X-Zendesk-Webhook-Signature', zendeskSignature(SECRETS.zendeskWebhook, TS, zendeskBody))
    .set('X-Zendesk-Webhook-Signature-Timestamp', TS)
    .send(zendeskBody);

const postJira = (app: ReturnType<typeof pipeline>['app']) =>
  request(app)
    .post('/webhooks/jira')
    .set('Content-Type', 'application/json')
    .set('X-Hub-Signature', jiraSignature(SECRETS.jiraWebhook, jiraBody))
    .set('X-Atlassian-Webhook-Identifier', '3d3c0d0e-4f1b-4c57-9f0a-6e1b2c3d4e5f')
    .send(jiraBody);

const postFreshdesk = (app: ReturnType<typeof pipeline>['app']) =>
  request(app).post('/webhooks/freshdesk').set('Content-Type', 'application/json').set('X-Webhook-Secret', SECRETS.freshdeskWebhook).send(freshdeskBody);

const ZENDESK_AUTH = basicAuth('integration@acme.io/token', SECRETS.zendeskToken);
const JIRA_AUTH = basicAuth('integration@acme.io', SECRETS.jiraToken);
const FRESHDESK_AUTH = basicAuth(SECRETS.freshdeskApiKey, 'X');

function zendeskApi(times = 1): nock.Scope {
  return nock('https://acme.zendesk.com', { reqheaders: { authorization: ZENDESK_AUTH } })
    .get('/api/v2/tickets/5158.json')
    .query({ include: 'users,organizations' })
    .times(times)
    .reply(200, fixture('zendesk/api/ticket-show.json') as nock.Body)
    .get('/api/v2/tickets/5158/comments.json')
    .query({ 'page[size]': '100', include: 'users' })
    .times(times)
    .reply(200, fixture('zendesk/api/ticket-comments.json') as nock.Body)
    // Group names, read once per process and cached.
    .get('/api/v2/groups.json')
    .query(true)
    .optionally()
    .reply(200, fixture('zendesk/api/groups.json') as nock.Body)
    // First sight: the audit of the change completes what the event says (once per new ticket).
    .get('/api/v2/tickets/5158/audits.json')
    .query(true)
    .optionally()
    .reply(200, fixture('zendesk/api/ticket-audits-page-2.json') as nock.Body);
}

function jiraApi(): nock.Scope {
  return nock('https://acme.atlassian.net', { reqheaders: { authorization: JIRA_AUTH } })
    .get('/rest/api/3/issue/10002')
    .query(true)
    .reply(200, fixture('jira/api/issue-SUP-311.json') as nock.Body);
}

function freshdeskApi(): nock.Scope {
  return nock('https://acme.freshdesk.com', { reqheaders: { authorization: FRESHDESK_AUTH } })
    .get('/api/v2/tickets/4821')
    .query({ include: 'requester,company,conversations' })
    .reply(200, fixture('freshdesk/api/ticket-4821.json') as nock.Body)
    .get('/api/v2/tickets/4821/conversations')
    .query({ per_page: '100', page: '1' })
    .reply(200, fixture('freshdesk/api/conversations-4821-page1.json') as nock.Body, {
      Link: '<https://acme.freshdesk.com/api/v2/tickets/4821/conversations?per_page=100&page=2>; rel="next"',
    })
    .get('/api/v2/tickets/4821/conversations')
    .query({ per_page: '100', page: '2' })
    .reply(200, fixture('freshdesk/api/conversations-4821-page2.json') as nock.Body)
    .get(/\/api\/v2\/agents\/\d+/)
    .times(2)
    .reply(200, (uri) => fixture(`freshdesk/api/agent-${uri.split('/').pop()}.json`) as nock.Body)
    .get('/api/v2/groups')
    .query(true)
    .optionally()
    .reply(200, [{ id: 43000612345, name: 'App Support', description: null, agent_ids: [], created_at: '2024-03-01T09:00:00Z', updated_at: '2024-03-01T09:00:00Z' }]);
}

beforeAll(() => {
  nock.disableNetConnect();
  // supertest talks to the app over loopback.
  nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('webhook to inbox to worker, against the vendors APIs', () => {
  it('Zendesk: a signed event is stored, then processed by fetching the authoritative ticket', async () => {
    const { app, store, worker } = pipeline();
    const api = zendeskApi();
    await postZendesk(app).expect(202);
    expect(await worker.drain()).toBe(1);
    expect(api.isDone()).toBe(true);
    const [event] = await store.listEvents({});
    expect(event?.status).toBe('done');
    const snapshot = await store.getSnapshot({ vendor: 'zendesk', connectionId: 'default', id: '5158' });
    const ticket = snapshot?.data as Ticket;
    expect(ticket).toMatchObject({ id: '5158', subject: 'Cannot login to mobile app', status: 'open', url: 'https://acme.zendesk.com/agent/tickets/5158' });
    expect(ticket.comments.length).toBeGreaterThan(0);
    expect(snapshot?.vendorUpdatedAt).toBe(ticket.updatedAt);
  });

  it('Jira: a signed event is processed by fetching the issue through REST v3', async () => {
    const { app, store, worker } = pipeline();
    const api = jiraApi();
    await postJira(app).expect(202);
    expect(await worker.drain()).toBe(1);
    expect(api.isDone()).toBe(true);
    const issue = (await store.getSnapshot({ vendor: 'jira', connectionId: 'default', id: '10002' }))?.data as JiraIssue;
    expect(issue).toMatchObject({ key: 'SUP-311', url: 'https://acme.atlassian.net/browse/SUP-311' });
  });

  it('Freshdesk: an event with the shared secret is processed with the whole conversation', async () => {
    const { app, store, worker } = pipeline();
    const api = freshdeskApi();
    await postFreshdesk(app).expect(202);
    expect(await worker.drain()).toBe(1);
    expect(api.isDone()).toBe(true);
    const ticket = (await store.getSnapshot({ vendor: 'freshdesk', connectionId: 'default', id: '4821' }))?.data as Ticket;
    expect(ticket).toMatchObject({ id: '4821', subject: expect.stringContaining('export') });
    expect(ticket.comments).toHaveLength(103);
  });

  it('a redelivered event is acknowledged and not processed twice', async () => {
    const { app, store, worker } = pipeline();
    const api = zendeskApi(1);
    await postZendesk(app).expect(202);
    expect(await worker.drain()).toBe(1);
    await postZendesk(app).expect(200);
    await postZendesk(app).expect(200);
    // Nothing more to do: no second fetch reached Zendesk (nock would refuse it).
    expect(await worker.drain()).toBe(0);
    expect(api.isDone()).toBe(true);
    expect(await store.listEvents({})).toHaveLength(1);
  });

  it('failures retry with backoff, then move to dead letters with the last error; replay requeues them', async () => {
    const { app, store, worker, advance } = pipeline();
    // 3 worker attempts x (1 try + 2 inline retries) answered 502.
    const failing = nock('https://acme.atlassian.net').get('/rest/api/3/issue/10002').query(true).times(9).reply(502, '<html>Bad gateway</html>');
    await postJira(app).expect(202);

    expect(await worker.drain()).toBe(1);
    let [event] = await store.listEvents({});
    expect(event).toMatchObject({ status: 'pending', attempts: 1 });
    expect(event?.lastError).toContain('jira getIssue (GET /rest/api/3/issue/10002) failed: 502');
    const firstWait = (event?.nextAttemptAt.getTime() ?? 0) - new Date('2025-01-08T14:25:31Z').getTime();
    expect(firstWait).toBeGreaterThanOrEqual(500);
    expect(firstWait).toBeLessThanOrEqual(1000);
    // Not due yet: backoff holds it.
    expect(await worker.drain()).toBe(0);

    advance(1_000);
    expect(await worker.drain()).toBe(1);
    [event] = await store.listEvents({});
    expect(event).toMatchObject({ status: 'pending', attempts: 2 });
    advance(2_000);
    expect(await worker.drain()).toBe(1);
    [event] = await store.listEvents({});
    expect(event?.status).toBe('dead');
    expect(failing.isDone()).toBe(true);

    const [letter] = await store.listDeadLetters();
    expect(letter).toMatchObject({ eventId: event?.id, vendor: 'jira', entityKey: 'issue:10002', attempts: 3 });
    expect(letter?.error).toContain('502');

    expect(await store.replayDeadLetters({ filter: { vendor: 'jira' } }, new Date('2025-01-08T14:25:34Z'))).toBe(1);
    const api = jiraApi();
    expect(await worker.drain()).toBe(1);
    expect(api.isDone()).toBe(true);
    expect((await store.getEvent(event?.id ?? 0))?.status).toBe('done');
    expect(await store.listDeadLetters()).toHaveLength(0);
  });

  it('a 404 for a ticket is permanent: dead-lettered at once, not retried', async () => {
    const { app, store, worker } = pipeline();
    nock('https://acme.zendesk.com')
      .get('/api/v2/tickets/5158.json')
      .query(true)
      .reply(404, { error: 'RecordNotFound', description: 'Not found' });
    await postZendesk(app).expect(202);
    await worker.drain();
    const [letter] = await store.listDeadLetters();
    expect(letter?.attempts).toBe(1);
    expect(letter?.error).toContain('zendesk getTicket');
    expect(letter?.error).toContain('404');
  });

  it('never writes a secret or token to the log, even on failures and refusals', async () => {
    const sink = new PassThrough();
    let output = '';
    sink.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const logger = createLogger({ level: 'debug', format: 'json', stream: sink });
    const { app, worker } = pipeline(logger);
    nock('https://acme.zendesk.com').get('/api/v2/tickets/5158.json').query(true).reply(401, { error: "Couldn't authenticate you" });
    zendeskApi();
    jiraApi();
    await postZendesk(app).expect(202);
    await postJira(app).expect(202);
    await request(app).post('/webhooks/freshdesk').set('Content-Type', 'application/json').set('X-Webhook-Secret', 'wrong-secret-guess').send(freshdeskBody).expect(401);
    await worker.drain();
    logger.info('config echo', { apiToken: SECRETS.jiraToken, note: `token is ${SECRETS.zendeskToken}` });
    await new Promise((resolve) => setImmediate(resolve));

    expect(output).toContain('webhook stored');
    expect(output).toContain('event failed; will retry');
    expect(output).toContain('"vendor":"zendesk"');
    expect(output).toContain('"ticketId":"5158"');
    for (const secret of Object.values(SECRETS)) {
      expect(output).not.toContain(secret);
      expect(output).not.toContain(Buffer.from(secret).toString('base64').replace(/=+$/, ''));
    }
    expect(output).not.toContain(ZENDESK_AUTH.slice('Basic '.length, 'Basic '.length + 20));
  });
});
