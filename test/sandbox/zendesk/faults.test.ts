import { ZENDESK_AGENTS } from '../../../src/sandbox/seed-people';
import { SEEDED_TICKETS, type ZendeskSandbox } from '../../../src/sandbox/zendesk';
import { api, clientFor, startSandbox, WebhookReceiver } from './helpers';

const DANA = ZENDESK_AGENTS.danaFox;
const TICKET = SEEDED_TICKETS.dashboardNoData;

let sandbox: ZendeskSandbox;
let url: string;

beforeEach(async () => {
  ({ sandbox, url } = await startSandbox());
});

afterEach(async () => {
  await sandbox.close();
});

async function setFaults(settings: Record<string, number>): Promise<void> {
  const res = await fetch(`${url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
  expect(res.status).toBe(200);
}

async function calls(): Promise<{ total: number; byEndpoint: Record<string, number>; faults: { rateLimited: number; serverErrors: number; droppedWebhooks: number } }> {
  const res = await fetch(`${url}/_sandbox/calls`);
  return (await res.json()) as Awaited<ReturnType<typeof calls>>;
}

describe('faults', () => {
  it('rateLimitNext: 429 with Retry-After in Zendesk’s shape, and our client retries until it succeeds', async () => {
    await setFaults({ rateLimitNext: 1, retryAfterSeconds: 2 });
    const raw = await api(url, 'danaFox', 'GET', `/api/v2/users/${DANA.id}.json`);
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('2');
    expect(raw.body).toEqual({ error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' });

    sandbox.http.calls.reset();
    await setFaults({ rateLimitNext: 2, retryAfterSeconds: 0 });
    await expect(clientFor(url).getUser(String(DANA.id))).resolves.toMatchObject({ name: 'Dana Fox' });
    const counted = await calls();
    expect(counted.byEndpoint).toEqual({ 'GET /api/v2/users/:id.json': 3 });
    expect(counted.faults.rateLimited).toBe(3);
    expect(sandbox.http.calls.all().map((c) => c.status)).toEqual([429, 429, 200]);
  });

  it('rate-limited addPrivateNote is retried (Zendesk did not apply it) and posts exactly one note', async () => {
    await setFaults({ rateLimitNext: 1, retryAfterSeconds: 0 });
    const before = sandbox.comments(TICKET).length;
    await clientFor(url).addPrivateNote(String(TICKET), '<p>once</p>');
    expect(sandbox.comments(TICKET)).toHaveLength(before + 1);
    expect(sandbox.http.calls.count('PUT', '/api/v2/tickets/:id.json')).toBe(2);
  });

  it('serverErrorNext: reads are retried through a 503; more failures than retries surface as a server error', async () => {
    await setFaults({ serverErrorNext: 1 });
    await expect(clientFor(url).getTicket(String(TICKET))).resolves.toMatchObject({ id: String(TICKET) });
    expect(sandbox.http.calls.all().map((c) => `${c.method} ${c.endpoint} ${c.status}`)).toEqual([
      'GET /api/v2/tickets/:id.json 503',
      'GET /api/v2/tickets/:id.json 200',
      'GET /api/v2/tickets/:id/comments.json 200',
    ]);

    sandbox.http.calls.reset();
    await setFaults({ serverErrorNext: 10, serverErrorStatus: 502 });
    await expect(clientFor(url).getUser(String(DANA.id))).rejects.toMatchObject({ status: 502, kind: 'server', attempts: 4 });
    expect(sandbox.http.calls.count('GET', '/api/v2/users/:id.json')).toBe(4);
  });

  it('serverErrorNext on a note: the client does not repeat a non-idempotent write, and no note exists', async () => {
    await setFaults({ serverErrorNext: 1 });
    const before = sandbox.comments(TICKET).length;
    await expect(clientFor(url).addPrivateNote(String(TICKET), '<p>maybe</p>')).rejects.toMatchObject({ status: 503 });
    expect(sandbox.comments(TICKET)).toHaveLength(before);
    expect(sandbox.http.calls.total()).toBe(1);
  });

  it('latency delays every answer', async () => {
    await setFaults({ latencyMs: 150 });
    const started = Date.now();
    await clientFor(url).getUser(String(DANA.id));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await fetch(`${url}/_sandbox/faults`, { method: 'DELETE' });
    const quick = Date.now();
    await clientFor(url).getUser(String(DANA.id));
    expect(Date.now() - quick).toBeLessThan(140);
  });

  it('dropWebhooksNext drops exactly N deliveries and sends the rest in order', async () => {
    const receiver = new WebhookReceiver();
    sandbox.setWebhook({ url: await receiver.start(), secret: 's' });
    try {
      await setFaults({ dropWebhooksNext: 2 });
      for (const tag of ['t1', 't2', 't3', 't4']) {
        await api(url, 'danaFox', 'PUT', `/api/v2/tickets/${TICKET}/tags.json`, { tags: [tag] });
      }
      await sandbox.webhooks.idle();
      expect(receiver.received.map((r) => r.body.event.tags_added)).toEqual([['t3'], ['t4']]);
      expect(sandbox.webhooks.stats()).toMatchObject({ dropped: 2, delivered: 2 });
      expect((await calls()).faults.droppedWebhooks).toBe(2);
    } finally {
      await receiver.close();
    }
  });

  it('/_sandbox/calls counts per endpoint, 401s included', async () => {
    await api(url, 'danaFox', 'GET', `/api/v2/tickets/${TICKET}.json`);
    await api(url, 'danaFox', 'GET', `/api/v2/tickets/${SEEDED_TICKETS.exportFails}.json`);
    await api(url, 'danaFox', 'GET', '/api/v2/groups.json');
    await fetch(`${url}/api/v2/groups.json`);
    const counted = await calls();
    expect(counted.byEndpoint).toEqual({ 'GET /api/v2/tickets/:id.json': 2, 'GET /api/v2/groups.json': 2 });
    expect(counted.total).toBe(4);
    expect(sandbox.http.calls.count('GET', '/api/v2/tickets/:id.json', `/api/v2/tickets/${TICKET}.json`)).toBe(1);
  });
});
