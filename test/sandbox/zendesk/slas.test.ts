import { createLogger } from '../../../src/logging/logger';
import { SandboxClock } from '../../../src/sandbox/core/clock';
import { ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import type { ZendeskSandbox } from '../../../src/sandbox/zendesk';
import { ZendeskClient } from '../../../src/vendors/zendesk/client';
import { api, createTicket, startSandbox } from './helpers';

const MARIA = ZENDESK_REQUESTERS.maria.id;
const TIER1 = ZENDESK_GROUPS.aegentTier1.id;
const MIN = 60_000;
const HOUR = 60 * MIN;

interface Metric {
  metric: string;
  stage: string;
  breach_at: string | null;
  minutes?: number;
  hours?: number;
  days?: number;
}

let sandbox: ZendeskSandbox;
let url: string;
let clock: SandboxClock;

beforeEach(async () => {
  clock = new SandboxClock();
  ({ sandbox, url } = await startSandbox({ clock }));
});

afterEach(async () => {
  await sandbox.close();
});

/** A ticket Maria wrote in, as the integration user files it for her. */
async function mariasTicket(priority: string | null): Promise<number> {
  return createTicket(url, 'integration', {
    subject: 'Meters offline',
    submitter_id: MARIA,
    requester_id: MARIA,
    group_id: TIER1,
    ...(priority ? { priority } : {}),
    comment: { body: 'Every meter at St. Luke shows offline.' },
  });
}

async function slasOf(id: number): Promise<Record<string, Metric>> {
  const res = await api(url, 'danaFox', 'GET', `/api/v2/tickets/${id}.json?include=users,organizations,slas`);
  expect(res.status).toBe(200);
  const slas = res.body.ticket?.slas as { policy_metrics: Metric[] };
  return Object.fromEntries(slas.policy_metrics.map((m) => [m.metric, m]));
}

const put = (id: number, ticket: Record<string, unknown>) => api(url, 'danaFox', 'PUT', `/api/v2/tickets/${id}.json`, { ticket });
const createdAt = (id: number) => Date.parse(sandbox.ticket(id)?.createdAt ?? '');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('Zendesk sandbox: include=slas', () => {
  it('side-loads the policy metrics under the ticket, active from created_at with the per-priority targets', async () => {
    const urgent = await mariasTicket('urgent');
    const m = await slasOf(urgent);
    expect(m.first_reply_time).toEqual({ metric: 'first_reply_time', stage: 'active', breach_at: iso(createdAt(urgent) + 60 * MIN), hours: 1 });
    expect(m.agent_work_time).toEqual({ metric: 'agent_work_time', stage: 'active', breach_at: iso(createdAt(urgent) + 4 * HOUR), hours: 4 });

    const low = await mariasTicket('low');
    const l = await slasOf(low);
    expect(l.first_reply_time?.breach_at).toBe(iso(createdAt(low) + 24 * HOUR));
    expect(l.agent_work_time).toMatchObject({ breach_at: iso(createdAt(low) + 5 * 24 * HOUR), days: 5 });
  });

  it('answers no slas without include=slas, and an empty policy for a ticket without a priority', async () => {
    const id = await mariasTicket('high');
    const plain = await api(url, 'danaFox', 'GET', `/api/v2/tickets/${id}.json?include=users,organizations`);
    expect(plain.body.ticket).not.toHaveProperty('slas');
    expect(plain.body).not.toHaveProperty('slas');
    const none = await mariasTicket(null);
    const res = await api(url, 'danaFox', 'GET', `/api/v2/tickets/${none}.json?include=slas`);
    expect(res.body.ticket?.slas).toEqual({ policy_metrics: [] });
  });

  it('past its target the metric stays active with the time left negative; an agent reply achieves it, breach_at kept', async () => {
    const id = await mariasTicket('urgent');
    clock.advance(30 * MIN);
    expect((await slasOf(id)).first_reply_time).toMatchObject({ stage: 'active', minutes: 30 });
    clock.advance(90 * MIN);
    const late = await slasOf(id);
    expect(late.first_reply_time).toEqual({ metric: 'first_reply_time', stage: 'active', breach_at: iso(createdAt(id) + HOUR), hours: -1 });
    // A private note is no reply, and neither is the requester's own comment.
    await put(id, { comment: { body: 'Looking at the gateway.', public: false } });
    await api(url, 'integration', 'PUT', `/api/v2/tickets/${id}.json`, { ticket: { comment: { body: 'Still down.', author_id: MARIA, public: true } } });
    expect((await slasOf(id)).first_reply_time?.stage).toBe('active');
    await put(id, { comment: { body: 'We are on it.', public: true } });
    const replied = await slasOf(id);
    expect(replied.first_reply_time).toMatchObject({ stage: 'achieved', breach_at: iso(createdAt(id) + HOUR) });
    expect(replied.agent_work_time).toMatchObject({ stage: 'active', breach_at: iso(createdAt(id) + 4 * HOUR) });
  });

  it('pauses on pending and on hold (breach_at null) and moves the breach time by the time spent paused', async () => {
    const id = await mariasTicket('urgent');
    await put(id, { status: 'pending', comment: { body: 'Could you send a photo of the gateway?', public: true } });
    expect((await slasOf(id)).agent_work_time).toEqual({ metric: 'agent_work_time', stage: 'paused', breach_at: null });
    clock.advance(HOUR);
    await put(id, { status: 'open' });
    const resumed = (await slasOf(id)).agent_work_time;
    expect(resumed?.stage).toBe('active');
    const shift = Date.parse(resumed?.breach_at ?? '') - (createdAt(id) + 4 * HOUR);
    // Zendesk stamps whole seconds, and a write in the same second is stamped a second later.
    expect(Math.abs(shift - HOUR)).toBeLessThanOrEqual(2000);
    await put(id, { status: 'hold' });
    expect((await slasOf(id)).agent_work_time?.stage).toBe('paused');
  });

  it('solving achieves both metrics', async () => {
    const id = await mariasTicket('normal');
    await put(id, { status: 'solved', assignee_id: ZENDESK_AGENTS.danaFox.id });
    const m = await slasOf(id);
    expect(m.first_reply_time).toMatchObject({ stage: 'achieved', breach_at: iso(createdAt(id) + 8 * HOUR) });
    expect(m.agent_work_time).toMatchObject({ stage: 'achieved', breach_at: iso(createdAt(id) + 3 * 24 * HOUR) });
  });

  it('our ZendeskClient with includeSlas reads them into helpdeskSla', async () => {
    const id = await mariasTicket('urgent');
    const a = ZENDESK_AGENTS.integration;
    const client = new ZendeskClient({
      connectionId: 'zd-sandbox',
      baseUrl: url,
      timeoutMs: 5_000,
      retry: { retries: 0, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5000 },
      logger: createLogger({ level: 'silent' }),
      email: a.email,
      apiToken: a.apiKey,
      includeSlas: true,
    });
    const ticket = await client.getTicket(String(id));
    expect(ticket.helpdeskSla).toEqual({
      firstResponse: { dueAt: new Date(createdAt(id) + HOUR).toISOString(), stage: 'active' },
      resolution: { dueAt: new Date(createdAt(id) + 4 * HOUR).toISOString(), stage: 'active' },
    });
    expect(sandbox.http.calls.count('GET', '/api/v2/tickets/:id.json')).toBe(1);
  });
});
