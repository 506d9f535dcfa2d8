import type { FreshdeskSandbox } from '../../../src/sandbox/freshdesk';
import { FRESHDESK_AGENTS, FRESHDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import { VendorApiError } from '../../../src/vendors/core/errors';
import { call, clientFor, createTicket, obj, startReceiver, startSandbox } from './helpers';

const { samOrtiz } = FRESHDESK_AGENTS;
const { ana } = FRESHDESK_REQUESTERS;

describe('Freshdesk sandbox faults and call counts', () => {
  let sandbox: FreshdeskSandbox;
  let base: string;

  beforeEach(async () => {
    ({ sandbox, base } = await startSandbox());
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('answers 429 with Retry-After, and the client retries until it succeeds', async () => {
    sandbox.http.faults.set({ rateLimitNext: 1, retryAfterSeconds: 2 });
    const limited = await call(base, samOrtiz.apiKey, 'GET', `/api/v2/contacts/${ana.id}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('x-ratelimit-total')).toBe('400');

    sandbox.http.faults.set({ rateLimitNext: 2, retryAfterSeconds: 0 });
    await expect(clientFor(base).getContact(String(ana.id))).resolves.toMatchObject({ name: 'Ana Lima' });

    expect(sandbox.http.calls.count('GET', '/api/v2/contacts/:id')).toBe(4);
    expect(sandbox.http.calls.all().map((c) => c.status)).toEqual([429, 429, 429, 200]);
    expect(sandbox.http.faults.stats.rateLimited).toBe(3);
  });

  it('answers 5xx: a read is retried, a note is not sent twice and is not created', async () => {
    sandbox.http.faults.set({ serverErrorNext: 2 });
    await expect(clientFor(base).getCompany(String(ana.organisationId))).resolves.toMatchObject({ name: 'Northwind Traders' });
    expect(sandbox.http.calls.all().map((c) => c.status)).toEqual([503, 503, 200]);

    const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email });
    sandbox.http.faults.set({ serverErrorNext: 1, serverErrorStatus: 502 });
    const err = await clientFor(base)
      .addPrivateNote(String(id), '<p>note</p>')
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(VendorApiError);
    expect(err).toMatchObject({ status: 502, kind: 'server', attempts: 1 });
    expect(sandbox.conversations(id)).toHaveLength(0);
    expect(sandbox.http.faults.stats.serverErrors).toBe(3);
  });

  it('delays every answer by the configured latency', async () => {
    sandbox.http.faults.set({ latencyMs: 150 });
    const started = Date.now();
    await clientFor(base).getContact(String(ana.id));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    sandbox.http.faults.clear();
    const fast = Date.now();
    await clientFor(base).getContact(String(ana.id));
    expect(Date.now() - fast).toBeLessThan(140);
  });

  it('drops exactly the next N webhooks and delivers the rest in order', async () => {
    const receiver = await startReceiver();
    try {
      sandbox.setWebhook({ url: receiver.url, secret: 'secret-for-drops' });
      sandbox.http.faults.set({ dropWebhooksNext: 2 });

      const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email });
      for (const status of [3, 4, 2]) await call(base, samOrtiz.apiKey, 'PUT', `/api/v2/tickets/${id}`, { status });
      await sandbox.webhooks.idle();

      expect(receiver.received.map((h) => h.body['triggered_event'])).toEqual(['{status:{from:3,to:4}}', '{status:{from:4,to:2}}']);
      expect(sandbox.webhooks.stats()).toMatchObject({ dropped: 2, delivered: 2 });
      expect(sandbox.http.faults.stats.droppedWebhooks).toBe(2);
    } finally {
      await receiver.close();
    }
  });

  it('counts calls per endpoint at /_sandbox/calls, and takes faults over HTTP', async () => {
    const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email });
    await call(base, samOrtiz.apiKey, 'GET', `/api/v2/tickets/${id}`);
    await call(base, samOrtiz.apiKey, 'GET', `/api/v2/tickets/${id}?include=conversations`);
    await call(base, samOrtiz.apiKey, 'POST', `/api/v2/tickets/${id}/notes`, { body: 'x' });
    await call(base, 'wrong-key', 'GET', `/api/v2/tickets/${id}`);

    const faults = await fetch(`${base}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serverErrorNext: 1 }) });
    expect(faults.status).toBe(200);
    expect((await call(base, samOrtiz.apiKey, 'GET', '/api/v2/groups')).status).toBe(503);

    const counts = obj(await call(base, '', 'GET', '/_sandbox/calls'));
    expect(counts).toEqual({
      total: 6,
      byEndpoint: {
        'POST /api/v2/tickets': 1,
        'GET /api/v2/tickets/:id': 3,
        'POST /api/v2/tickets/:id/notes': 1,
        'GET /api/v2/groups': 1,
      },
      faults: { rateLimited: 0, serverErrors: 1, droppedWebhooks: 0, duplicatedWebhooks: 0 },
    });
  });
});
