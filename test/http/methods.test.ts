import request from 'supertest';
import { createApp, type AppDeps } from '../../src/http/app';
import { createLogger } from '../../src/logging/logger';
import { memoryStore, testConfig } from '../helpers/app';
import { SECRETS } from '../helpers/env';
import { fixtureText } from '../helpers/fixtures';
import { zendeskSignature } from '../helpers/sign';

const NOW = new Date('2025-01-08T14:25:31Z');
const TS = '2025-01-08T14:25:30Z';

/** A second Zendesk account, its webhooks at a path of its own outside /webhooks/. */
const PARTNER_YAML = [
  'connections:',
  '  zendesk:',
  '    - id: partner-b',
  '      url: https://partner-b.zendesk.com',
  '      email: integration@partner-b.example',
  '      apiToken: partnerBToken-123456',
  '      webhookSecret: partnerBSecret-654321',
  '      webhookPath: /hooks/zd-partner-b',
  '',
].join('\n');

function app(extra: Partial<AppDeps> = {}) {
  return createApp({ loaded: testConfig({}, PARTNER_YAML), store: memoryStore(), logger: createLogger({ level: 'silent' }), now: () => NOW, auditToken: 'audit-token-for-method-tests-Zx81', ...extra });
}

type Method = 'get' | 'put' | 'delete' | 'patch' | 'head' | 'options' | 'post';

const WEBHOOK_ROUTES = [
  '/webhooks/freshdesk',
  '/webhooks/zendesk',
  '/webhooks/jira',
  '/webhooks/zendesk/default',
  '/webhooks/jira/default',
  '/webhooks/zendesk/partner-b',
  '/hooks/zd-partner-b',
  '/hooks/zd-partner-b/',
];

describe('405 on a webhook route asked with another method than POST', () => {
  const served = app();

  it.each(WEBHOOK_ROUTES.flatMap((path) => (['get', 'put', 'delete', 'patch'] as Method[]).map((method) => [method.toUpperCase(), path, method] as const)))(
    '%s %s: 405, Allow: POST, a JSON error',
    async (name, path, method) => {
      const res = await request(served)[method](path);
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: `${name} is not allowed on ${path}; webhooks are delivered with POST` });
      expect(res.headers['x-request-id']).toBeDefined();
    },
  );

  it('HEAD and OPTIONS: 405 with Allow: POST too', async () => {
    for (const method of ['head', 'options'] as const) {
      const res = await request(served)[method]('/webhooks/jira');
      expect([method, res.status, res.headers.allow]).toEqual([method, 405, 'POST']);
    }
  });

  it('POST still reaches the webhook (here: refused for its signature, not for its method)', async () => {
    const body = fixtureText('webhooks/zendesk-comment-added.json');
    const res = await request(served)
      .post('/hooks/zd-partner-b')
      .set('Content-Type', 'application/json')
      .set('X-Zendesk-Webhook-Signature', zendeskSignature('partnerBSecret-654321', TS, body))
      .set('X-Zendesk-Webhook-Signature-Timestamp', TS)
      .send(body);
    expect(res.status).toBe(202);
    const wrong = await request(served)
      .post('/webhooks/zendesk')
      .set('Content-Type', 'application/json')
      .set('X-Zendesk-Webhook-Signature', zendeskSignature(`${SECRETS.zendeskWebhook}-not`, TS, body))
      .set('X-Zendesk-Webhook-Signature-Timestamp', TS)
      .send(body);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.allow).toBeUndefined();
  });
});

describe('405 on health and metrics asked with another method than GET', () => {
  const served = app();

  it.each(['/healthz', '/readyz', '/metrics'].flatMap((path) => (['post', 'put', 'delete', 'patch'] as Method[]).map((method) => [method.toUpperCase(), path, method] as const)))(
    '%s %s: 405, Allow: GET, HEAD',
    async (name, path, method) => {
      const res = await request(served)[method](path).set('Content-Type', 'application/json').send('{}');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(res.body).toEqual({ error: `${name} is not allowed on ${path}; use GET` });
    },
  );

  it('GET and HEAD still answer', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect((await request(served).get(path)).status).toBe(200);
      expect((await request(served).head(path)).status).toBe(200);
    }
  });
});

describe('what is not a route stays 404', () => {
  const served = app();

  it.each([
    ['get', '/'],
    ['get', '/nothing/here'],
    ['put', '/nothing/here'],
    ['post', '/nothing/here'],
    ['get', '/webhooks'],
    ['get', '/webhooks/nobody'],
    ['get', '/webhooks/jira/no-such-connection'],
    ['delete', '/webhooks/zendesk/partner-z'],
    ['get', '/hooks/zd-partner-c'],
    ['get', '/healthz/more'],
  ] as Array<[Method, string]>)('%s %s: 404', async (method, path) => {
    const res = await request(served)[method](path);
    expect(res.status).toBe(404);
    expect(res.headers.allow).toBeUndefined();
  });

  it("leaves the audit's own answers: 405 from its routes, 404 for its unknown paths", async () => {
    const post = await request(served).post('/api/audit/links').set('Authorization', 'Bearer audit-token-for-method-tests-Zx81');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(post.body.error).toMatch(/the audit is read-only/);
    const unknown = await request(served).get('/api/audit/nothing').set('Authorization', 'Bearer audit-token-for-method-tests-Zx81');
    expect(unknown.status).toBe(404);
  });
});

describe('a --role worker process (no webhooks)', () => {
  const served = app({ webhooks: false });

  it('has no webhook routes: GET and POST answer 404, POST naming the role', async () => {
    expect((await request(served).get('/webhooks/jira')).status).toBe(404);
    const post = await request(served).post('/webhooks/jira').set('Content-Type', 'application/json').send('{}');
    expect(post.status).toBe(404);
    expect(post.body.error).toMatch(/--role worker/);
  });

  it('answers 405 for a POST on health and metrics, as the web process does', async () => {
    const res = await request(served).post('/healthz').send('{}');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });
});
