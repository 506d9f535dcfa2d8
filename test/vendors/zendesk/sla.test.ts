import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { createLogger } from '../../../src/logging/logger';
import { ZendeskClient } from '../../../src/vendors/zendesk/client';
import { helpdeskSlaOf, mapTicket } from '../../../src/vendors/zendesk/mapper';
import { showTicketResponseSchema, ticketSlasSchema } from '../../../src/vendors/zendesk/schemas';

const BASE_URL = 'https://acme.zendesk.com';
const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'zendesk', 'api');

function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

/**
 * ticket-show.json (ticket 5158: high, open, created 2025-01-08T10:12:07Z) as
 * `GET /api/v2/tickets/5158.json?include=users,organizations,slas` answers it: the SLA
 * side-load sits under the ticket, with Zendesk's rounded time-left summaries.
 */
function showWithSlas(policyMetrics: unknown[]): Record<string, unknown> {
  const show = fixture<{ ticket: Record<string, unknown> }>('ticket-show.json');
  show.ticket.slas = { policy_metrics: policyMetrics };
  return show;
}

const FIRST_REPLY_ACTIVE = { breach_at: '2025-01-08T14:12:07Z', stage: 'active', metric: 'first_reply_time', hours: 3 };
const AGENT_WORK_ACTIVE = { breach_at: '2025-01-09T10:12:07Z', stage: 'active', metric: 'agent_work_time', hours: 23 };
const REQUESTER_WAIT_ACTIVE = { breach_at: '2025-01-10T10:12:07Z', stage: 'active', metric: 'requester_wait_time', days: 2 };

function mapShow(body: unknown) {
  const show = showTicketResponseSchema.parse(body);
  return mapTicket(show.ticket, [], { connectionId: 'zd-acme', baseUrl: BASE_URL, users: show.users, organizations: show.organizations });
}

describe('Zendesk SLA policy metrics into the canonical ticket', () => {
  it('first_reply_time is the first response; the earliest of agent_work_time and requester_wait_time the resolution', () => {
    const ticket = mapShow(showWithSlas([FIRST_REPLY_ACTIVE, REQUESTER_WAIT_ACTIVE, AGENT_WORK_ACTIVE, { breach_at: '2025-01-15T10:12:07Z', stage: 'active', metric: 'periodic_update_time', days: 7 }]));
    expect(ticket.helpdeskSla).toEqual({
      firstResponse: { dueAt: '2025-01-08T14:12:07.000Z', stage: 'active' },
      resolution: { dueAt: '2025-01-09T10:12:07.000Z', stage: 'active' },
    });
  });

  it('keeps breach_at on an achieved first reply (as Zendesk shows it) and reads a paused resolution', () => {
    const ticket = mapShow(
      showWithSlas([
        { breach_at: '2025-01-08T14:12:07Z', stage: 'achieved', metric: 'first_reply_time', days: -141 },
        { breach_at: null, stage: 'paused', metric: 'agent_work_time' },
      ]),
    );
    expect(ticket.helpdeskSla).toEqual({
      firstResponse: { dueAt: '2025-01-08T14:12:07.000Z', stage: 'achieved' },
      resolution: { dueAt: null, stage: 'paused' },
    });
  });

  it('resolution: achieved only when every resolution metric is, else the earliest one still running', () => {
    const achievedWork = { breach_at: '2025-01-09T10:12:07Z', stage: 'achieved', metric: 'agent_work_time', days: -1 };
    const achievedWait = { breach_at: '2025-01-10T10:12:07Z', stage: 'achieved', metric: 'requester_wait_time', days: -1 };
    expect(helpdeskSlaOf(ticketSlasSchema.parse({ policy_metrics: [achievedWait, achievedWork] }))?.resolution).toEqual({ dueAt: '2025-01-09T10:12:07.000Z', stage: 'achieved' });
    expect(helpdeskSlaOf(ticketSlasSchema.parse({ policy_metrics: [achievedWork, REQUESTER_WAIT_ACTIVE] }))?.resolution).toEqual({ dueAt: '2025-01-10T10:12:07.000Z', stage: 'active' });
    // One paused (no breach time), one running: the running one's breach time is the one to watch.
    const pausedWork = { breach_at: null, stage: 'paused', metric: 'agent_work_time' };
    expect(helpdeskSlaOf(ticketSlasSchema.parse({ policy_metrics: [pausedWork, REQUESTER_WAIT_ACTIVE] }))?.resolution).toEqual({ dueAt: '2025-01-10T10:12:07.000Z', stage: 'active' });
    expect(helpdeskSlaOf(ticketSlasSchema.parse({ policy_metrics: [pausedWork, { ...pausedWork, metric: 'requester_wait_time' }] }))?.resolution).toEqual({ dueAt: null, stage: 'paused' });
  });

  it('a policy without the metrics gives null targets; an unknown stage gives a null stage', () => {
    expect(mapShow(showWithSlas([])).helpdeskSla).toEqual({ firstResponse: null, resolution: null });
    expect(mapShow(showWithSlas([{ ...FIRST_REPLY_ACTIVE, stage: 'breached' }, { breach_at: '2025-01-08T12:00:00Z', stage: 'active', metric: 'next_reply_time', minutes: 20 }])).helpdeskSla).toEqual({
      firstResponse: { dueAt: '2025-01-08T14:12:07.000Z', stage: null },
      resolution: null,
    });
  });

  it('without include=slas there is no helpdeskSla; an unreadable slas drops the SLA, not the ticket', () => {
    expect(mapShow(fixture('ticket-show.json')).helpdeskSla).toBeUndefined();
    const odd = fixture<{ ticket: Record<string, unknown> }>('ticket-show.json');
    odd.ticket.slas = { policy_metrics: 'soon' };
    expect(mapShow(odd).helpdeskSla).toBeUndefined();
  });
});

describe('ZendeskClient includeSlas', () => {
  const EMAIL = 'sync-bot@acme.example';
  const API_TOKEN = 'wJbXo9mQ2kP7zT4hV1nR6sL8dF3gA5cE';
  const client = (includeSlas?: boolean) =>
    new ZendeskClient({
      connectionId: 'zd-acme',
      baseUrl: BASE_URL,
      timeoutMs: 2_000,
      retry: { retries: 0, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000 },
      logger: createLogger({ level: 'silent' }),
      email: EMAIL,
      apiToken: API_TOKEN,
      ...(includeSlas === undefined ? {} : { includeSlas }),
    });
  const comments = () =>
    nock(BASE_URL).get('/api/v2/tickets/5158/comments.json').query({ 'page[size]': '100', include: 'users' }).reply(200, fixture('ticket-comments.json'));

  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('asks include=users,organizations,slas when configured, and maps the side-load', async () => {
    const show = nock(BASE_URL)
      .get('/api/v2/tickets/5158.json')
      .query({ include: 'users,organizations,slas' })
      .reply(200, showWithSlas([FIRST_REPLY_ACTIVE, AGENT_WORK_ACTIVE]));
    const list = comments();
    const ticket = await client(true).getTicket('5158');
    expect(show.isDone() && list.isDone()).toBe(true);
    expect(ticket.helpdeskSla).toEqual({
      firstResponse: { dueAt: '2025-01-08T14:12:07.000Z', stage: 'active' },
      resolution: { dueAt: '2025-01-09T10:12:07.000Z', stage: 'active' },
    });
  });

  it.each([[undefined], [false]])('asks include=users,organizations only when includeSlas is %s', async (includeSlas) => {
    const show = nock(BASE_URL).get('/api/v2/tickets/5158.json').query({ include: 'users,organizations' }).reply(200, fixture('ticket-show.json'));
    const list = comments();
    const ticket = await client(includeSlas).getTicket('5158');
    expect(show.isDone() && list.isDone()).toBe(true);
    expect(ticket.helpdeskSla).toBeUndefined();
  });
});
