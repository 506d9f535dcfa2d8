import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { createApp } from '../../src/http/app';
import { MAX_REQUEST_ID_LENGTH, requestIds, saneRequestId } from '../../src/http/request-id';
import { memoryStore, testConfig } from '../helpers/app';
import { SECRETS } from '../helpers/env';
import { fixtureText } from '../helpers/fixtures';
import { captureLogs } from '../helpers/logs';
import { jiraSignature, zendeskSignature } from '../helpers/sign';

const NOW = new Date('2025-01-08T14:25:31Z');
const TS = '2025-01-08T14:25:30Z';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const AUDIT_TOKEN = 'audit-token-for-request-id-tests-8f3Kq';
const JIRA_DELIVERY = '3d3c0d0e-4f1b-4c57-9f0a-6e1b2c3d4e5f';

const jiraBody = fixtureText('webhooks/jira-issue-updated.json');
const zendeskBody = fixtureText('webhooks/zendesk-comment-added.json');

function setup() {
  const { lines, logger } = captureLogs();
  const store = memoryStore();
  const app = createApp({ loaded: testConfig(), store, logger, now: () => NOW, auditToken: AUDIT_TOKEN });
  return { app, store, lines };
}

type App = ReturnType<typeof createApp>;

const jiraPost = (app: App, body = jiraBody, signature = jiraSignature(SECRETS.jiraWebhook, body)) =>
  request(app)
    .post('/webhooks/jira')
    .set('Content-Type', 'application/json')
    .set('X-Hub-Signature', signature)
    .set('X-Atlassian-Webhook-Identifier', JIRA_DELIVERY)
    .set('X-Atlassian-Webhook-Retry', '0');

const zendeskPost = (app: App, secret = SECRETS.zendeskWebhook) =>
  request(app)
    .post('/webhooks/zendesk')
    .set('Content-Type', 'application/json')
    .set('X-Zendesk-Webhook-Signature', zendeskSignature(secret, TS, zendeskBody))
    .set('X-Zendesk-Webhook-Signature-Timestamp', TS)
    .set('X-Zendesk-Webhook-Id', '01GK8E6BKWMJZD2T8Y5AXJQMG5');

const byMessage = (lines: Array<Record<string, unknown>>, message: string) => lines.filter((l) => l.message === message);

function noSecretIn(lines: Array<Record<string, unknown>>): void {
  const text = JSON.stringify(lines);
  for (const secret of [...Object.values(SECRETS), AUDIT_TOKEN]) expect(text).not.toContain(secret);
}

describe('X-Request-Id', () => {
  it('takes a sane id from the request, answers it, logs it with the event stored and keeps it with the event', async () => {
    const { app, store, lines } = setup();
    const res = await jiraPost(app).set('X-Request-Id', 'lb-7f3a9c2e-0001').send(jiraBody);
    expect(res.status).toBe(202);
    expect(res.headers['x-request-id']).toBe('lb-7f3a9c2e-0001');
    const [stored] = byMessage(lines, 'webhook stored');
    expect(stored).toMatchObject({ vendor: 'jira', issueId: '10002', eventId: 1, deliveryId: JIRA_DELIVERY, requestId: 'lb-7f3a9c2e-0001' });
    expect(stored).not.toHaveProperty('ticketId');
    const [event] = await store.listEvents({});
    expect(event?.headers['x-request-id']).toBe('lb-7f3a9c2e-0001');
  });

  it('generates a UUID when the request has none, a new one for each request', async () => {
    const { app } = setup();
    const first = await request(app).get('/healthz').expect(200);
    const second = await request(app).get('/healthz').expect(200);
    expect(first.headers['x-request-id']).toMatch(UUID);
    expect(second.headers['x-request-id']).toMatch(UUID);
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
  });

  it('is answered on every response: health, metrics, 404, 405 and the audit', async () => {
    const { app } = setup();
    const answers = await Promise.all([
      request(app).get('/healthz').set('X-Request-Id', 'id-healthz'),
      request(app).get('/readyz').set('X-Request-Id', 'id-readyz'),
      request(app).get('/metrics').set('X-Request-Id', 'id-metrics'),
      request(app).get('/no/such/page').set('X-Request-Id', 'id-404'),
      request(app).post('/webhooks/nobody').set('X-Request-Id', 'id-404-webhook').send('{}'),
      request(app).get('/webhooks/jira').set('X-Request-Id', 'id-405'),
      request(app).get('/api/audit/links').set('X-Request-Id', 'id-audit'),
    ]);
    expect(answers.map((r) => [r.status, r.headers['x-request-id']])).toEqual([
      [200, 'id-healthz'],
      [200, 'id-readyz'],
      [200, 'id-metrics'],
      [404, 'id-404'],
      [404, 'id-404-webhook'],
      [405, 'id-405'],
      [401, 'id-audit'],
    ]);
  });

  it('names the request in the webhook refused warning (a bad signature, the wrong content type)', async () => {
    const { app, lines } = setup();
    const bad = await zendeskPost(app, 'not-the-signing-secret').set('X-Request-Id', 'req-refused-401').send(zendeskBody);
    expect(bad.status).toBe(401);
    expect(bad.headers['x-request-id']).toBe('req-refused-401');
    const plain = await request(app).post('/webhooks/zendesk').set('Content-Type', 'text/plain').set('X-Request-Id', 'req-refused-415').send('hello');
    expect(plain.status).toBe(415);
    expect(byMessage(lines, 'webhook refused')).toEqual([
      expect.objectContaining({ level: 'warn', vendor: 'zendesk', connection: 'default', status: 401, requestId: 'req-refused-401' }),
      expect.objectContaining({ level: 'warn', vendor: 'zendesk', connection: 'default', status: 415, requestId: 'req-refused-415' }),
    ]);
    noSecretIn(lines);
  });

  it('names a generated id in the refusal when the request came without one, the same id as answered', async () => {
    const { app, lines } = setup();
    const res = await jiraPost(app, jiraBody, jiraSignature('not-the-secret', jiraBody)).send(jiraBody);
    expect(res.status).toBe(401);
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(byMessage(lines, 'webhook refused')).toEqual([expect.objectContaining({ status: 401, requestId: res.headers['x-request-id'] })]);
  });

  it('names the request in refusals the error handler answers (413) and in its errors (503)', async () => {
    const { app, store, lines } = setup();
    const huge = JSON.stringify({ webhookEvent: 'jira:issue_updated', padding: 'x'.repeat(1_100_000) });
    const tooLarge = await jiraPost(app, huge).set('X-Request-Id', 'req-too-large').send(huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers['x-request-id']).toBe('req-too-large');

    jest.spyOn(store, 'enqueue').mockRejectedValueOnce(new Error('SQLITE_FULL: database or disk is full'));
    const failed = await jiraPost(app).set('X-Request-Id', 'req-store-down').send(jiraBody);
    expect(failed.status).toBe(503);
    expect(failed.headers['x-request-id']).toBe('req-store-down');

    expect(byMessage(lines, 'webhook refused')).toEqual([expect.objectContaining({ vendor: 'jira', status: 413, requestId: 'req-too-large' })]);
    expect(byMessage(lines, 'request failed')).toEqual([
      expect.objectContaining({ level: 'error', path: '/webhooks/jira', requestId: 'req-store-down', error: 'SQLITE_FULL: database or disk is full' }),
    ]);
  });

  it("names the request in the audit's refusal, and never logs the token", async () => {
    const { app, lines } = setup();
    const wrong = await request(app).get('/api/audit/links').set('Authorization', 'Bearer not-the-audit-token').set('X-Request-Id', 'req-audit-1');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['x-request-id']).toBe('req-audit-1');
    const none = await request(app).get('/api/audit/violations');
    expect(none.status).toBe(401);
    // (The audit names the path under its mount point, /api/audit.)
    expect(byMessage(lines, 'audit request refused')).toEqual([
      expect.objectContaining({ level: 'warn', path: '/links', reason: 'wrong token', requestId: 'req-audit-1' }),
      expect.objectContaining({ level: 'warn', path: '/violations', reason: 'no token', requestId: none.headers['x-request-id'] }),
    ]);
    expect(none.headers['x-request-id']).toMatch(UUID);
    noSecretIn(lines);
  });

  it('replaces an id that is too long (10 kB) or holds spaces or non-ASCII, in the answer and in the log', async () => {
    const { app, lines } = setup();
    const cases = ['r'.repeat(10_240), 'r'.repeat(MAX_REQUEST_ID_LENGTH + 1), 'two ids, joined', ''];
    for (const given of cases) {
      const res = await zendeskPost(app, 'not-the-signing-secret').set('X-Request-Id', given).send(zendeskBody);
      expect(res.status).toBe(401);
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
    const refusals = byMessage(lines, 'webhook refused');
    expect(refusals).toHaveLength(cases.length);
    for (const line of refusals) expect(String(line.requestId)).toMatch(UUID);
    // The longest id allowed is kept as given.
    const longest = 'r'.repeat(MAX_REQUEST_ID_LENGTH);
    expect((await request(app).get('/healthz').set('X-Request-Id', longest)).headers['x-request-id']).toBe(longest);
  });

  describe('behind a lenient HTTP parser (control characters reach the app)', () => {
    let server: Server;
    let port: number;
    let lines: Array<Record<string, unknown>>;
    beforeAll(async () => {
      const s = setup();
      lines = s.lines;
      // A lenient proxy in front may forward what Node's strict parser refuses: the app decides itself.
      server = createServer({ insecureHTTPParser: true }, s.app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    /** One raw request; the status line and the X-Request-Id answered. */
    const raw = (requestId: string) =>
      new Promise<{ status: string; requestId: string | undefined }>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(Buffer.from(`POST /webhooks/zendesk HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\nhi`, 'latin1'));
        });
        let out = '';
        socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
        socket.on('error', reject);
        socket.on('close', () => {
          const [head = ''] = out.split('\r\n\r\n');
          const [status = '', ...headers] = head.split('\r\n');
          resolve({ status, requestId: headers.find((h) => /^x-request-id:/i.test(h))?.replace(/^x-request-id:\s*/i, '') });
        });
      });

    it.each([
      ['an ANSI escape', 'req\x1b[31mforged'],
      ['a NUL', 'req\x00nul'],
      ['a tab', 'req\tid'],
      ['Latin-1 bytes', 'caf\xe9'],
    ])('replaces an id with %s', async (_what, given) => {
      const before = lines.length;
      const answer = await raw(given);
      expect(answer.status).toBe('HTTP/1.1 415 Unsupported Media Type');
      expect(answer.requestId).toMatch(UUID);
      const refusal = lines.slice(before).find((l) => l.message === 'webhook refused');
      expect(refusal).toMatchObject({ status: 415, requestId: answer.requestId });
    });
  });

  it('replaces ids with newlines or carriage returns (a log line forged) where a parser let them through', () => {
    for (const given of ['abc\n{"level":"error","message":"forged"}', 'abc\r\nX-Evil: 1', 'a\rb', 'a\u2028b']) {
      const res = { locals: {} as Record<string, unknown>, headers: {} as Record<string, string>, setHeader(name: string, value: string) { this.headers[name] = value; } };
      const next = jest.fn();
      requestIds()({ headers: { 'x-request-id': given } } as unknown as Request, res as unknown as Response, next as unknown as NextFunction);
      expect(res.locals.requestId).toMatch(UUID);
      expect(res.headers['X-Request-Id']).toBe(res.locals.requestId);
      expect(next).toHaveBeenCalledTimes(1);
    }
  });

  it('takes printable ASCII ids as they are: UUIDs, a load balancer trace id, base64', () => {
    for (const id of ['6f1c0e0a-9b7d-4b0e-8c1e-2f4a5b6c7d8e', 'Root=1-67891233-abcdef012345678912345678', 'q83vEjRWeJq8/+==', 'a']) expect(saneRequestId(id)).toBe(id);
    for (const id of [undefined, '', ' ', 'a b', 'é', 'x'.repeat(129), ['a', 'b'], 42]) expect(saneRequestId(id)).toBeNull();
  });
});
