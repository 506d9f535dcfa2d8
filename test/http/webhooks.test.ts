import { SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite/migrations';
import request from 'supertest';
import { createApp } from '../../src/http/app';
import { createLogger } from '../../src/logging/logger';
import type { Store } from '../../src/store/types';
import { memoryStore, testConfig } from '../helpers/app';
import { SECRETS } from '../helpers/env';
import { fixtureText } from '../helpers/fixtures';
import { basicAuth, jiraSignature, zendeskSignature } from '../helpers/sign';

const logger = createLogger({ level: 'silent' });
const NOW = new Date('2025-01-08T14:25:31Z');
const TS = '2025-01-08T14:25:30Z';
const zendeskBody = fixtureText('webhooks/zendesk-comment-added.json');
const jiraBody = fixtureText('webhooks/jira-issue-updated.json');
const freshdeskBody = fixtureText('webhooks/freshdesk-ticket-updated.json');

function setup(overrides: Record<string, string | undefined> = {}, yaml?: string) {
  const store = memoryStore();
  const loaded = testConfig(overrides, yaml);
  const woken: number[] = [];
  const app = createApp({ loaded, store, logger, now: () => NOW, onEnqueued: () => woken.push(1) });
  return { app, store, woken };
}

const zendeskPost = (app: ReturnType<typeof setup>['app'], body: string, secret = SECRETS.zendeskWebhook, path = '/webhooks/zendesk') =>
  request(app)
    .post(path)
    .set('Content-Type', 'application/json')
    .set('X-Zendesk-Webhook-Signature', zendeskSignature(secret, TS, body))
    .set('X-Zendesk-Webhook-Signature-Timestamp', TS)
    .set('X-Zendesk-Webhook-Id', '01GK8E6BKWMJZD2T8Y5AXJQMG5')
    .send(body);

const jiraPost = (app: ReturnType<typeof setup>['app'], body: string, delivery = '3d3c0d0e-4f1b-4c57-9f0a-6e1b2c3d4e5f') =>
  request(app)
    .post('/webhooks/jira')
    .set('Content-Type', 'application/json')
    .set('X-Hub-Signature', jiraSignature(SECRETS.jiraWebhook, body))
    .set('X-Atlassian-Webhook-Identifier', delivery)
    .set('X-Atlassian-Webhook-Retry', '0')
    .send(body);

async function inbox(store: Store) {
  return store.listEvents({});
}

describe('POST /webhooks/zendesk', () => {
  it('stores a signed event delivery before answering 202, and wakes the worker', async () => {
    const { app, store, woken } = setup();
    const res = await zendeskPost(app, zendeskBody);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'accepted', eventId: 1 });
    const [event] = await inbox(store);
    expect(event).toMatchObject({
      vendor: 'zendesk',
      connectionId: 'default',
      entityKey: 'ticket:5158',
      eventType: 'ticket.comment_added',
      dedupeKey: 'delivery:d4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52',
      status: 'pending',
      source: 'webhook',
    });
    expect(event?.payload).toEqual(JSON.parse(zendeskBody));
    // With our request id (a UUID when the request came without X-Request-Id), for the worker's logs.
    expect(event?.headers).toEqual({ 'x-zendesk-webhook-id': '01GK8E6BKWMJZD2T8Y5AXJQMG5', 'x-zendesk-webhook-signature-timestamp': TS, 'x-request-id': res.headers['x-request-id'] });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(woken).toHaveLength(1);
  });

  it('acknowledges a redelivery of the same event without storing it twice', async () => {
    const { app, store, woken } = setup();
    await zendeskPost(app, zendeskBody).expect(202);
    const again = await zendeskPost(app, zendeskBody);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: 'duplicate', eventId: 1 });
    expect(await inbox(store)).toHaveLength(1);
    expect(woken).toHaveLength(1);
  });

  it('refuses a wrong signature with 401 and a JSON reason, storing nothing', async () => {
    const { app, store } = setup();
    const res = await zendeskPost(app, zendeskBody, 'not-the-signing-secret');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'X-Zendesk-Webhook-Signature does not match the body and the signing secret' });
    expect(await inbox(store)).toHaveLength(0);
  });

  it('refuses unsigned calls with 401 naming the missing headers', async () => {
    const { app } = setup();
    const res = await request(app).post('/webhooks/zendesk').set('Content-Type', 'application/json').send(zendeskBody);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('missing header X-Zendesk-Webhook-Signature and X-Zendesk-Webhook-Signature-Timestamp');
  });

  it('answers 400 for a signed body that is not JSON', async () => {
    const { app, store } = setup();
    const res = await zendeskPost(app, '{"type": "zen:event-type:ticket.comment_added",');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^body is not valid JSON: /);
    expect(await inbox(store)).toHaveLength(0);
  });

  it('answers 413 for a body over the size limit', async () => {
    const { app } = setup();
    const huge = JSON.stringify({ ticket_id: '5158', padding: 'x'.repeat(1_100_000) });
    const res = await zendeskPost(app, huge);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'body is larger than the 1mb limit' });
  });

  it('answers 415 when the body is not declared as JSON', async () => {
    const { app } = setup();
    const res = await request(app).post('/webhooks/zendesk').set('Content-Type', 'application/x-www-form-urlencoded').send('ticket_id=5158');
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ error: 'Content-Type must be application/json' });
  });

  it('answers 422 with the reason for a verified body it cannot use', async () => {
    const { app, store } = setup();
    const res = await zendeskPost(app, JSON.stringify({ ticket_id: '{{ticket.id}}' }));
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('ticket_id must be a ticket number; got "{{ticket.id}}"');
    expect(await inbox(store)).toHaveLength(0);
  });

  it('answers 200 ignored for a non-ticket event and stores nothing', async () => {
    const { app, store } = setup();
    const res = await zendeskPost(app, fixtureText('webhooks/zendesk-user-created.json'));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ignored');
    expect(await inbox(store)).toHaveLength(0);
  });

  it('accepts a trigger webhook whose template carries the ticket id', async () => {
    const { app, store } = setup();
    const res = await zendeskPost(app, fixtureText('webhooks/zendesk-trigger.json'));
    expect(res.status).toBe(202);
    expect((await inbox(store))[0]).toMatchObject({ entityKey: 'ticket:5158', eventType: 'trigger.ticket_updated' });
  });
});

describe('POST /webhooks/jira', () => {
  it('stores a signed delivery and dedupes on X-Atlassian-Webhook-Identifier', async () => {
    const { app, store } = setup();
    const first = await jiraPost(app, jiraBody);
    expect(first.status).toBe(202);
    const retry = await jiraPost(app, jiraBody);
    expect(retry.body).toEqual({ status: 'duplicate', eventId: first.body.eventId });
    const other = await jiraPost(app, jiraBody, '7a1f4e2b-0000-4c57-9f0a-6e1b2c3d4e5f');
    expect(other.status).toBe(202);
    const events = await inbox(store);
    expect(events.map((e) => [e.entityKey, e.eventType, e.dedupeKey])).toEqual([
      ['issue:10002', 'jira:issue_updated', 'delivery:3d3c0d0e-4f1b-4c57-9f0a-6e1b2c3d4e5f'],
      ['issue:10002', 'jira:issue_updated', 'delivery:7a1f4e2b-0000-4c57-9f0a-6e1b2c3d4e5f'],
    ]);
    expect(events[0]?.headers).toEqual({
      'x-atlassian-webhook-identifier': '3d3c0d0e-4f1b-4c57-9f0a-6e1b2c3d4e5f',
      'x-atlassian-webhook-retry': '0',
      'x-request-id': first.headers['x-request-id'],
    });
  });

  it('refuses a signature over a different body', async () => {
    const { app } = setup();
    const res = await request(app)
      .post('/webhooks/jira')
      .set('Content-Type', 'application/json')
      .set('X-Hub-Signature', jiraSignature(SECRETS.jiraWebhook, '{}'))
      .send(jiraBody);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('X-Hub-Signature does not match the body and the webhook secret');
  });
});

describe('POST /webhooks/freshdesk', () => {
  it('accepts the secret header or basic auth, and treats an identical body as a redelivery', async () => {
    const { app, store } = setup();
    const first = await request(app)
      .post('/webhooks/freshdesk')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Secret', SECRETS.freshdeskWebhook)
      .send(freshdeskBody);
    expect(first.status).toBe(202);
    const again = await request(app)
      .post('/webhooks/freshdesk')
      .set('Content-Type', 'application/json')
      .set('Authorization', basicAuth('freshdesk', SECRETS.freshdeskWebhook))
      .send(freshdeskBody);
    expect(again.body).toEqual({ status: 'duplicate', eventId: first.body.eventId });
    const changed = freshdeskBody.replace('"status":"Pending"', '"status":"Open"');
    const third = await request(app)
      .post('/webhooks/freshdesk')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Secret', SECRETS.freshdeskWebhook)
      .send(changed);
    expect(third.status).toBe(202);
    const events = await inbox(store);
    expect(events.map((e) => e.entityKey)).toEqual(['ticket:4821', 'ticket:4821']);
    expect(events[0]?.dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('refuses a wrong secret', async () => {
    const { app } = setup();
    const res = await request(app)
      .post('/webhooks/freshdesk')
      .set('Content-Type', 'application/json')
      .set('X-Webhook-Secret', 'guessing-the-secret')
      .send(freshdeskBody);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'the webhook secret is wrong' });
  });
});

describe('connections', () => {
  const partner = `
connections:
  zendesk:
    - id: partner-b
      url: https://partner-b.zendesk.com
      email: integration@partner-b.example
      apiToken: \${PARTNER_B_TOKEN}
      webhookSecret: \${PARTNER_B_SECRET}
      webhookPath: /hooks/partner-b
`;

  it('routes a named connection by /webhooks/<vendor>/<id> and by its own path, each with its own secret', async () => {
    const { app, store } = setup({ PARTNER_B_TOKEN: 'partner-b-token-123', PARTNER_B_SECRET: 'partner-b-signing-secret' }, partner);
    await zendeskPost(app, zendeskBody, 'partner-b-signing-secret', '/webhooks/zendesk/partner-b').expect(202);
    const viaPath = zendeskBody.replace('d4f5c389', 'e5a6b390');
    await zendeskPost(app, viaPath, 'partner-b-signing-secret', '/hooks/partner-b').expect(202);
    // The default connection's secret does not open partner-b's door.
    await zendeskPost(app, zendeskBody, SECRETS.zendeskWebhook, '/webhooks/zendesk/partner-b').expect(401);
    expect((await inbox(store)).map((e) => e.connectionId)).toEqual(['partner-b', 'partner-b']);
  });

  it('answers 404 for an unknown connection, listing the configured ones', async () => {
    const { app } = setup();
    const res = await zendeskPost(app, zendeskBody, SECRETS.zendeskWebhook, '/webhooks/zendesk/nobody');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'unknown zendesk connection "nobody"; configured: default' });
    const other = await request(app).post('/webhooks/servicenow').set('Content-Type', 'application/json').send('{}');
    expect(other.status).toBe(404);
    expect(other.body.error).toMatch(/^no webhook at \/webhooks\/servicenow/);
  });

  it('answers 503 with the missing settings for a vendor without credentials', async () => {
    const { app } = setup({ JIRA_URL: undefined, JIRA_EMAIL: undefined, JIRA_API_TOKEN: undefined, JIRA_WEBHOOK_SECRET: undefined });
    const res = await jiraPost(app, jiraBody);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'jira connection "default" is disabled: set JIRA_URL, JIRA_EMAIL, JIRA_API_TOKEN, JIRA_WEBHOOK_SECRET' });
  });

  it('answers 503 when credentials exist but no webhook secret does: unsigned calls never pass', async () => {
    const { app } = setup({ ZENDESK_WEBHOOK_SECRET: undefined });
    const res = await request(app).post('/webhooks/zendesk').set('Content-Type', 'application/json').send(zendeskBody);
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('zendesk connection "default" is disabled: set ZENDESK_WEBHOOK_SECRET');
  });
});

describe('health', () => {
  it('GET /healthz says the process is up; GET /readyz checks the store and its migrations', async () => {
    const { app } = setup();
    await request(app).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', store: 'sqlite', schemaVersion: SQLITE_SCHEMA_VERSION, write: 'ok', circuits: [] });
  });

  it('GET /readyz answers 503 once the store is gone', async () => {
    const { app, store } = setup();
    await store.close();
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'not ready', error: 'store unreachable', circuits: [] });
  });

  it('answers 503 (so the vendor redelivers) when the store cannot take the event, without leaking internals', async () => {
    const { app, store } = setup();
    await store.close();
    const res = await zendeskPost(app, zendeskBody);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'could not store the event right now; it will be accepted on redelivery' });
  });
});

// Found by the webhook fuzz test (test/reliability/fuzz.test.ts, FUZZ_STORE=postgres): PostgreSQL
// text cannot hold NUL, so such an event failed its insert on every redelivery (503 for ever).
describe('event names the store cannot keep', () => {
  it('answers 422 for a signed event whose type or delivery id contains NUL, whatever the store, storing nothing', async () => {
    const { app, store } = setup();
    const jira = jiraBody.replace('"webhookEvent":"jira:issue_updated"', '"webhookEvent":"jira:issue_updated\\u0000"');
    expect(jira).not.toBe(jiraBody);
    const res = await jiraPost(app, jira);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: 'the event type "jira:issue_updated\\u0000" contains a NUL character (\\u0000)' });
    const zendesk = zendeskBody.replace('"id":"d4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52"', '"id":"d4f5c389\\u0000"');
    expect(zendesk).not.toBe(zendeskBody);
    const zres = await zendeskPost(app, zendesk);
    expect(zres.status).toBe(422);
    expect(zres.body.error).toMatch(/^the delivery id "d4f5c389\\u0000" contains a NUL character/);
    expect(await inbox(store)).toHaveLength(0);
  });
});
