import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { createLogger } from '../../src/logging/logger';
import { Metrics } from '../../src/metrics/registry';
import { ZendeskAgent } from '../../src/sandbox/demo/actors';
import { ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../../src/sandbox/seed-people';
import { startSandboxes, type Sandboxes } from '../../src/sandbox/world';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { VendorClients } from '../../src/sync/clients';
import { lockName, runJob, type JobDeps } from '../../src/sync/jobs/run-job';
import { JiraClient } from '../../src/vendors/jira/client';
import { ZendeskClient } from '../../src/vendors/zendesk/client';
import { fixture } from '../helpers/fixtures';
import { jobsConfig } from '../sync/jobs/rig';
import { ourLabelValues, valueOf } from './scrape';

const silent = createLogger({ level: 'silent' });
const CALLS = 'helpdesk_sync_vendor_api_calls_total';

describe('job run metrics, over the sandboxes', () => {
  let boxes: Sandboxes;
  beforeAll(async () => {
    boxes = await startSandboxes({ webhookRetryDelayMs: 20 });
  });
  afterEach(() => {
    for (const s of [boxes.zendesk, boxes.freshdesk, boxes.jira]) s.http.faults.clear();
  });
  afterAll(() => boxes.close());

  function rig() {
    const loaded = jobsConfig(boxes.env);
    const store = new SqliteStore(':memory:');
    const metrics = new Metrics({ store, logger: silent });
    const clients = new VendorClients(loaded.connections, loaded.config, silent, metrics);
    const deps: JobDeps = { loaded, store, clients, logger: silent, metrics };
    return { loaded, store, metrics, deps };
  }

  it('counts runs by job and outcome with their durations, and the vendor calls they made by endpoint template', async () => {
    const { store, metrics, deps } = rig();
    const dana = new ZendeskAgent(boxes.urls.zendesk, ZENDESK_AGENTS.danaFox.email, ZENDESK_AGENTS.danaFox.apiKey);
    const ticket = await dana.createTicket({
      subject: 'Meter 31 reports negative usage',
      comment: { body: 'Meter 31 shows -12 kWh since the firmware update.', public: true },
      requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
      group_id: ZENDESK_GROUPS.aegentTier1.id,
    });
    // The first export call is answered 429 with a short Retry-After: waited through, counted.
    boxes.zendesk.http.faults.set({ rateLimitNext: 1, retryAfterSeconds: 0.05 });

    expect((await runJob(deps, { job: 'poll' })).outcome).toBe('ok');
    // Another holder has the lock: this run skips, and says so in the metrics too.
    await store.acquireLock(lockName('poll'), 'other-host:1:abcd', new Date(), 600_000);
    expect((await runJob(deps, { job: 'poll' })).outcome).toBe('skipped');

    const text = await metrics.text();
    expect(valueOf(text, 'helpdesk_sync_job_runs_total', { job: 'poll', outcome: 'ok' })).toBe(1);
    expect(valueOf(text, 'helpdesk_sync_job_runs_total', { job: 'poll', outcome: 'skipped' })).toBe(1);
    expect(valueOf(text, 'helpdesk_sync_job_duration_seconds_count', { job: 'poll' })).toBe(2);
    expect(valueOf(text, 'helpdesk_sync_job_duration_seconds_sum', { job: 'poll' })).toBeGreaterThan(0);

    const zendeskExport = { vendor: 'zendesk', endpoint: 'GET /api/v2/incremental/tickets/cursor.json' };
    expect(valueOf(text, CALLS, { ...zendeskExport, status: '429' })).toBe(1);
    expect(valueOf(text, CALLS, { ...zendeskExport, status: '200' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, CALLS, { vendor: 'jira', endpoint: 'POST /rest/api/3/search/jql', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, CALLS, { vendor: 'freshdesk', endpoint: 'GET /api/v2/tickets', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'helpdesk_sync_vendor_rate_limit_waits_total', { vendor: 'zendesk' })).toBe(1);
    expect(valueOf(text, 'helpdesk_sync_vendor_rate_limit_wait_seconds_total', { vendor: 'zendesk' })).toBeCloseTo(0.05);

    // The poll cursors the run saved: Freshdesk's and Jira's are instants, Zendesk's is opaque.
    expect(valueOf(text, 'helpdesk_sync_poll_lag_seconds', { cursor: 'poll:zendesk:default' })).toBeUndefined();
    expect(text).not.toContain(`"${ticket.id}"`);
    for (const value of ourLabelValues(text)) expect(value).not.toContain(String(ticket.id));
  });
});

describe('vendor call metrics (VendorHttp)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  const common = { timeoutMs: 2_000, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000 }, logger: silent };

  it('counts each attempt by endpoint template and status, and Retry-After waits', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const client = new ZendeskClient({ ...common, connectionId: 'default', baseUrl: 'https://acme.zendesk.com', email: 'sync@acme.io', apiToken: 'zd-api-token-Ua73KpLe0', metrics });
    const show = fixture<Record<string, { id: number }>>('zendesk/api/ticket-show.json');
    const id = String(show.ticket?.id);
    nock('https://acme.zendesk.com')
      .get(`/api/v2/tickets/${id}.json`).query(true).reply(429, { error: 'TooManyRequests' }, { 'Retry-After': '0.02' })
      .get(`/api/v2/tickets/${id}.json`).query(true).reply(200, show)
      .get(`/api/v2/tickets/${id}/comments.json`).query(true).reply(200, fixture('zendesk/api/ticket-comments.json'));
    await client.getTicket(id);

    const text = await metrics.text();
    expect(valueOf(text, CALLS, { vendor: 'zendesk', endpoint: 'GET /api/v2/tickets/{id}.json', status: '429' })).toBe(1);
    expect(valueOf(text, CALLS, { vendor: 'zendesk', endpoint: 'GET /api/v2/tickets/{id}.json', status: '200' })).toBe(1);
    expect(valueOf(text, CALLS, { vendor: 'zendesk', endpoint: 'GET /api/v2/tickets/{id}/comments.json', status: '200' })).toBe(1);
    expect(valueOf(text, 'helpdesk_sync_vendor_rate_limit_waits_total', { vendor: 'zendesk' })).toBe(1);
    expect(valueOf(text, 'helpdesk_sync_vendor_rate_limit_wait_seconds_total', { vendor: 'zendesk' })).toBeCloseTo(0.02);
    expect(text).not.toContain(id);
  });
});

describe('vendor call metrics on a network error', () => {
  it('counts an attempt that got no answer as status "error" and templates Jira issue keys', async () => {
    // A port nothing listens on: connection refused, a real network error.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const metrics = new Metrics({ defaultMetrics: false });
    const client = new JiraClient({
      timeoutMs: 2_000,
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000 },
      logger: silent,
      connectionId: 'default',
      baseUrl: `http://127.0.0.1:${port}`,
      email: 'sync@acme.io',
      apiToken: 'jira-api-token-ATATT3xFfGF0Zq',
      metrics,
    });
    await expect(client.listTransitions('SUP-20')).rejects.toMatchObject({ kind: 'network', vendorMessage: 'ECONNREFUSED' });

    const text = await metrics.text();
    expect(valueOf(text, CALLS, { vendor: 'jira', endpoint: 'GET /rest/api/3/issue/{id}/transitions', status: 'error' })).toBe(3);
    expect(text).not.toContain('SUP-20');
    // Backoff after a network error is not a rate-limit wait.
    expect(valueOf(text, 'helpdesk_sync_vendor_rate_limit_waits_total', { vendor: 'jira' })).toBeUndefined();
  });
});
