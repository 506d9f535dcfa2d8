import { enforceDocumentedLimits } from '../../../src/sandbox/core/documented-limits';
import { EnforcedRateLimits, retryAfterHeader, scaledRule } from '../../../src/sandbox/core/rate-limiter';
import { freshdeskDocumentedLimits } from '../../../src/sandbox/freshdesk/rate-limit';
import { jiraDocumentedLimits } from '../../../src/sandbox/jira/rate-limit';
import { startSandboxes, type Sandboxes } from '../../../src/sandbox/world';
import { zendeskDocumentedLimits } from '../../../src/sandbox/zendesk/rate-limit';
import { silent } from './rig';
import { ZendeskClient } from '../../../src/vendors/zendesk/client';

/** The opt-in limiter that makes the sandboxes answer 429 where the vendors' documented limits would. */
describe('enforced rate limits (unit)', () => {
  it('admits a window\'s budget, then answers how long until the window closes', () => {
    let now = 1_000_000;
    const limits = new EnforcedRateLimits(zendeskDocumentedLimits(), () => now);
    for (let i = 0; i < 10; i += 1) expect(limits.admit('GET', '/api/v2/incremental/tickets/cursor.json')).toEqual({ allowed: true });
    now += 12_345;
    const refused = limits.admit('GET', '/api/v2/incremental/tickets/cursor.json');
    expect(refused).toMatchObject({ allowed: false, rule: { name: 'zendesk-incremental-exports' }, retryAfterMs: 48_000 });
    // Other endpoints still have the account's budget.
    expect(limits.admit('GET', '/api/v2/tickets/:id.json').allowed).toBe(true);
    now += 47_655;
    expect(limits.admit('GET', '/api/v2/incremental/tickets/cursor.json').allowed).toBe(true);
    expect(limits.stats()['zendesk-incremental-exports']).toMatchObject({ admitted: 11, rejected: 1 });
    expect(limits.stats()['zendesk-account']).toMatchObject({ admitted: 12, rejected: 0 });
  });

  it('counts each Jira method class on its own budget, and Freshdesk\'s list inside the account', () => {
    const now = 5_000;
    const jira = new EnforcedRateLimits(jiraDocumentedLimits(), () => now);
    for (let i = 0; i < 100; i += 1) jira.admit('GET', '/rest/api/3/issue/:idOrKey');
    expect(jira.admit('GET', '/rest/api/3/issue/:idOrKey')).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    expect(jira.admit('POST', '/rest/api/3/search/jql').allowed).toBe(true);
    for (let i = 0; i < 49; i += 1) jira.admit('PUT', '/rest/api/3/issue/:idOrKey');
    expect(jira.admit('DELETE', '/rest/api/3/issue/:idOrKey/properties/:propertyKey').allowed).toBe(true);
    expect(jira.admit('PUT', '/rest/api/3/issue/:idOrKey').allowed).toBe(false);

    const fd = new EnforcedRateLimits(freshdeskDocumentedLimits(), () => now);
    for (let i = 0; i < 100; i += 1) fd.admit('GET', '/api/v2/tickets');
    expect(fd.admit('GET', '/api/v2/tickets')).toMatchObject({ allowed: false, rule: { name: 'freshdesk-tickets-list' } });
    for (let i = 0; i < 300; i += 1) expect(fd.admit('GET', '/api/v2/tickets/:id').allowed).toBe(true);
    expect(fd.admit('GET', '/api/v2/tickets/:id')).toMatchObject({ allowed: false, rule: { name: 'freshdesk-account' } });
  });

  it('scales windows and Retry-After together', () => {
    const rule = scaledRule('x', 10, 'minute', { minuteMs: 6000 }, () => true);
    expect(rule).toMatchObject({ windowMs: 6000, retryAfterResolutionMs: 100 });
    let now = 0;
    const limits = new EnforcedRateLimits([rule], () => now);
    for (let i = 0; i < 10; i += 1) limits.admit('GET', '/');
    now = 1234;
    expect(limits.admit('GET', '/')).toMatchObject({ retryAfterMs: 4800 });
    expect(retryAfterHeader(4800)).toBe('4.8');
    expect(retryAfterHeader(48_000)).toBe('48');
  });
});

describe('enforced rate limits in the sandboxes', () => {
  let boxes: Sandboxes;
  beforeEach(async () => {
    boxes = await startSandboxes();
  });
  afterEach(() => boxes.close());

  const auth = () => `Basic ${Buffer.from(`${boxes.env.ZENDESK_EMAIL}/token:${boxes.env.ZENDESK_API_TOKEN}`).toString('base64')}`;
  const exportOnce = () => fetch(`${boxes.urls.zendesk}/api/v2/incremental/tickets/cursor.json?start_time=0`, { headers: { authorization: auth() } });

  it('are off by default: the sandboxes answer as before', async () => {
    const statuses = await Promise.all(Array.from({ length: 12 }, () => exportOnce().then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it('answer 429 with Retry-After past the documented budget, and the clients wait it out', async () => {
    enforceDocumentedLimits([boxes.zendesk.http, boxes.freshdesk.http, boxes.jira.http], { minuteMs: 1500 });
    for (let i = 0; i < 10; i += 1) expect((await exportOnce()).status).toBe(200);
    const refused = await exportOnce();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(1.5);
    expect(await refused.json()).toMatchObject({ error: expect.any(String) });

    const client = new ZendeskClient({
      connectionId: 'default',
      baseUrl: boxes.urls.zendesk,
      email: boxes.env.ZENDESK_EMAIL as string,
      apiToken: boxes.env.ZENDESK_API_TOKEN as string,
      timeoutMs: 5000,
      retry: { retries: 4, minDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 5000 },
      logger: silent,
    });
    const started = Date.now();
    await expect(client.incrementalTickets({ startTime: 0 })).resolves.toMatchObject({ endOfStream: true });
    expect(Date.now() - started).toBeGreaterThan(100);
    expect(boxes.zendesk.http.rateLimits?.stats()['zendesk-incremental-exports']).toMatchObject({ admitted: 11, rejected: expect.any(Number) });
  });

  it('can be turned on and off over HTTP, with a scaled minute', async () => {
    const on = await fetch(`${boxes.urls.zendesk}/_sandbox/rate-limits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ minuteMs: 6000 }) });
    expect(await on.json()).toMatchObject({ 'zendesk-incremental-exports': { limit: 10, windowMs: 6000 }, 'zendesk-account': { limit: 700 } });
    for (let i = 0; i < 10; i += 1) await exportOnce();
    const refused = await exportOnce();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(6);
    await fetch(`${boxes.urls.zendesk}/_sandbox/rate-limits`, { method: 'DELETE' });
    expect((await exportOnce()).status).toBe(200);
  });
});
