import { PassThrough } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../src/http/app';
import { createLogger } from '../../src/logging/logger';
import { secrets } from '../../src/logging/redact';
import { Metrics } from '../../src/metrics/registry';
import type { Store } from '../../src/store/types';
import { memoryStore, testConfig } from '../helpers/app';
import { SECRETS } from '../helpers/env';
import { fixtureText } from '../helpers/fixtures';
import { jiraSignature, zendeskSignature } from '../helpers/sign';
import { ourLabelValues, valueOf } from './scrape';

const logger = createLogger({ level: 'silent' });
const NOW = new Date('2025-01-08T14:25:31Z');
const TS = '2025-01-08T14:25:30Z';
const TICKET = '90417';
const METRICS_TOKEN = 'metrics-scrape-token-7Kq2Vx';

/** Realistic deliveries, about ticket 90417 (the id must not reach any label). */
const zendeskBody = fixtureText('webhooks/zendesk-comment-added.json').replaceAll('5158', TICKET);
const freshdeskBody = fixtureText('webhooks/freshdesk-ticket-updated.json').replaceAll('4821', TICKET);
const jiraBody = fixtureText('webhooks/jira-issue-updated.json').replaceAll('ZD#5158', `ZD#${TICKET}`);

type App = ReturnType<typeof createApp>;

function setup(overrides: Record<string, string | undefined> = {}, extra: { store?: Store; stream?: PassThrough } = {}) {
  const store = extra.store ?? memoryStore();
  const loaded = testConfig(overrides);
  const log = extra.stream ? createLogger({ level: 'debug', format: 'json', stream: extra.stream }) : logger;
  const app = createApp({ loaded, store, logger: log, now: () => NOW });
  return { app, store, loaded };
}

const zendeskPost = (app: App, body: string, secret = SECRETS.zendeskWebhook) =>
  request(app)
    .post('/webhooks/zendesk')
    .set('Content-Type', 'application/json')
    .set('X-Zendesk-Webhook-Signature', zendeskSignature(secret, TS, body))
    .set('X-Zendesk-Webhook-Signature-Timestamp', TS)
    .set('X-Zendesk-Webhook-Id', '01GK8E6BKWMJZD2T8Y5AXJQMG5')
    .send(body);

const freshdeskPost = (app: App, body: string, secret = SECRETS.freshdeskWebhook) =>
  request(app).post('/webhooks/freshdesk').set('Content-Type', 'application/json').set('X-Webhook-Secret', secret).send(body);

const jiraPost = (app: App, body: string) =>
  request(app)
    .post('/webhooks/jira')
    .set('Content-Type', 'application/json')
    .set('X-Hub-Signature', jiraSignature(SECRETS.jiraWebhook, body))
    .set('X-Atlassian-Webhook-Identifier', '3d3c0d0e-4f1b-4c57-9f0a-6e1b2c3d4e5f')
    .set('X-Atlassian-Webhook-Retry', '0')
    .send(body);

const scrape = async (app: App, token?: string) => {
  const req = request(app).get('/metrics');
  if (token !== undefined) req.set('Authorization', `Bearer ${token}`);
  return req;
};

const WEBHOOKS = 'helpdesk_sync_webhooks_received_total';

describe('GET /metrics', () => {
  it('serves the default process metrics and counts webhooks by vendor, connection and outcome', async () => {
    const { app } = setup();
    await zendeskPost(app, zendeskBody).expect(202);
    await zendeskPost(app, zendeskBody).expect(200); // a redelivery
    await zendeskPost(app, zendeskBody, 'not-the-signing-secret').expect(401);
    await freshdeskPost(app, freshdeskBody).expect(202);
    await freshdeskPost(app, freshdeskBody, 'guessing-the-secret').expect(401);
    await jiraPost(app, jiraBody).expect(202);
    await request(app).post('/webhooks/zendesk').set('Content-Type', 'text/plain').send('hello').expect(415);

    const res = await scrape(app);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    // prom-client's default metrics, on this service's own registry.
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(valueOf(text, 'nodejs_heap_size_total_bytes')).toBeGreaterThan(0);

    expect(valueOf(text, WEBHOOKS, { vendor: 'zendesk', connection: 'default', outcome: 'accepted' })).toBe(1);
    expect(valueOf(text, WEBHOOKS, { vendor: 'zendesk', connection: 'default', outcome: 'duplicate' })).toBe(1);
    expect(valueOf(text, WEBHOOKS, { vendor: 'zendesk', connection: 'default', outcome: 'refused_401' })).toBe(1);
    expect(valueOf(text, WEBHOOKS, { vendor: 'zendesk', connection: 'default', outcome: 'refused_415' })).toBe(1);
    expect(valueOf(text, WEBHOOKS, { vendor: 'freshdesk', connection: 'default', outcome: 'accepted' })).toBe(1);
    expect(valueOf(text, WEBHOOKS, { vendor: 'freshdesk', connection: 'default', outcome: 'refused_401' })).toBe(1);
    expect(valueOf(text, WEBHOOKS, { vendor: 'jira', connection: 'default', outcome: 'accepted' })).toBe(1);
  });

  it('never puts a ticket id, event id or delivery id in a label', async () => {
    const { app, store } = setup();
    await zendeskPost(app, zendeskBody).expect(202);
    await freshdeskPost(app, freshdeskBody).expect(202);
    await jiraPost(app, jiraBody).expect(202);
    expect((await store.listEvents({})).map((e) => e.entityKey)).toEqual([`ticket:${TICKET}`, `ticket:${TICKET}`, 'issue:10002']);

    const { text } = await scrape(app);
    expect(text).not.toContain(TICKET);
    expect(text).not.toContain('SUP-311');
    expect(text).not.toContain('d4f5c389'); // Zendesk's event id
    expect(text).not.toContain('3d3c0d0e'); // Jira's delivery id
    for (const value of ourLabelValues(text)) expect(value).not.toMatch(/\d{4,}/);
  });

  it('counts failures of the error handler: too large (413) and a store that cannot take the event (503)', async () => {
    const store = memoryStore();
    const broken = Object.create(store) as Store;
    broken.enqueue = () => Promise.reject(new Error('database is locked'));
    const { app } = setup({}, { store: broken });
    await zendeskPost(app, zendeskBody).expect(503);

    const small = createApp({ loaded: testConfig({}, 'server:\n  bodyLimit: 64b\n'), store, logger, now: () => NOW });
    await freshdeskPost(small, freshdeskBody).expect(413);

    expect(valueOf((await scrape(app)).text, WEBHOOKS, { vendor: 'zendesk', outcome: 'unavailable_503' })).toBe(1);
    expect(valueOf((await scrape(small)).text, WEBHOOKS, { vendor: 'freshdesk', outcome: 'refused_413' })).toBe(1);
  });

  it('counts deliveries to a disabled connection as unavailable_503', async () => {
    const { app } = setup({ ZENDESK_WEBHOOK_SECRET: '' });
    await zendeskPost(app, zendeskBody).expect(503);
    expect(valueOf((await scrape(app)).text, WEBHOOKS, { vendor: 'zendesk', outcome: 'unavailable_503' })).toBe(1);
  });

  it('keeps one registry per app: two apps in one process count apart', async () => {
    const one = setup();
    const two = setup();
    await zendeskPost(one.app, zendeskBody).expect(202);
    expect(valueOf((await scrape(one.app)).text, WEBHOOKS, { vendor: 'zendesk', outcome: 'accepted' })).toBe(1);
    expect(valueOf((await scrape(two.app)).text, WEBHOOKS, { vendor: 'zendesk', outcome: 'accepted' })).toBeUndefined();
  });

  it('serves the Metrics it is given', async () => {
    const store = memoryStore();
    const metrics = new Metrics({ store, logger });
    metrics.jobRun('poll', 'ok', 1.5);
    const app = createApp({ loaded: testConfig(), store, logger, metrics });
    const { text } = await scrape(app);
    expect(valueOf(text, 'helpdesk_sync_job_runs_total', { job: 'poll', outcome: 'ok' })).toBe(1);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  it('answers 401 JSON without the bearer token or with a wrong one, 200 with it', async () => {
    const stream = new PassThrough();
    let logged = '';
    stream.on('data', (chunk: Buffer) => (logged += chunk.toString('utf8')));
    const { app, loaded } = setup({ METRICS_TOKEN }, { stream });
    expect(loaded.config.server.metricsToken).toBe(METRICS_TOKEN);

    const none = await scrape(app);
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toMatch(/^application\/json/);
    expect(none.body).toEqual({ error: expect.any(String) });
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);

    const wrong = await scrape(app, 'metrics-scrape-token-7Kq2Vy');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: expect.any(String) });
    expect((await scrape(app, 'short')).status).toBe(401);
    expect((await request(app).get('/metrics').set('Authorization', `Basic ${METRICS_TOKEN}`)).status).toBe(401);
    expect((await request(app).get('/metrics').set('Authorization', 'Bearer ')).status).toBe(401);

    const ok = await scrape(app, METRICS_TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('process_cpu_user_seconds_total');

    // The token is never echoed, logged or exposed.
    for (const res of [none, wrong, ok]) expect(res.text).not.toContain(METRICS_TOKEN);
    await zendeskPost(app, zendeskBody).expect(202);
    expect(logged).not.toContain(METRICS_TOKEN);
    expect(secrets.maskString(`token=${METRICS_TOKEN}`)).toBe('token=[REDACTED]');
  });

  it('takes the token from AppDeps too', async () => {
    const store = memoryStore();
    const app = createApp({ loaded: testConfig(), store, logger, metricsToken: METRICS_TOKEN });
    expect((await scrape(app)).status).toBe(401);
    expect((await scrape(app, METRICS_TOKEN)).status).toBe(200);
  });

  it('is open when METRICS_TOKEN is unset', async () => {
    const { app } = setup({ METRICS_TOKEN: undefined });
    expect((await scrape(app)).status).toBe(200);
  });
});
