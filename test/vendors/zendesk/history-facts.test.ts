import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { createLogger } from '../../../src/logging/logger';
import { auditAt, auditFacts } from '../../../src/vendors/zendesk/audit-facts';
import { ZendeskClient } from '../../../src/vendors/zendesk/client';
import { auditsPageSchema, type ZendeskAudit } from '../../../src/vendors/zendesk/schemas';

const BASE_URL = 'https://acme.zendesk.com';
const EMAIL = 'sync-bot@acme.example';
const API_TOKEN = 'wJbXo9mQ2kP7zT4hV1nR6sL8dF3gA5cE';
const AUTH_HEADER = `Basic ${Buffer.from(`${EMAIL}/token:${API_TOKEN}`).toString('base64')}`;
const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'zendesk', 'api');

const fixture = <T = Record<string, unknown>>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

const makeClient = () =>
  new ZendeskClient({
    connectionId: 'zd-acme',
    baseUrl: BASE_URL,
    timeoutMs: 2_000,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000 },
    logger: createLogger({ level: 'silent' }),
    email: EMAIL,
    apiToken: API_TOKEN,
  });

/** The four audits of ticket 5158: creation, Dana's update, a trigger in the same second, an SLA notification. */
const AUDITS: ZendeskAudit[] = [
  ...auditsPageSchema.parse(fixture('ticket-audits-page-1.json')).audits,
  ...auditsPageSchema.parse(fixture('ticket-audits-page-2.json')).audits,
];
const DANAS_UPDATE = {
  actorId: '8447388090495',
  updatedAt: '2025-01-08T14:25:30Z',
  created: false,
  comment: { id: '30112233445601', authorId: '8447388090495', public: true },
  assignee: { from: null, to: '8447388090495' },
  status: { from: 'open', to: 'open' },
  group: { from: '8447320466430', to: '8447320466431' },
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('auditAt and auditFacts', () => {
  it.each<[string, string | null, string]>([
    ['the creation audit for the creation time', '2025-01-08T10:12:07Z', '30112233445500'],
    ["the agent's audit over a trigger's tag-only audit in the same second", '2025-01-08T14:25:30Z', '30112233445600'],
    ['the same instant written with milliseconds', '2025-01-08T14:25:30.000Z', '30112233445600'],
    ['the newest changing audit when no audit has that time', '2025-01-08T18:00:00Z', '30112233445610'],
    ['the newest changing audit when the time is unknown', null, '30112233445610'],
  ])('picks %s', (_name, at, auditId) => {
    expect(auditAt(AUDITS, at)?.id).toBe(auditId);
  });

  it('picks nothing from notification-only audits', () => {
    expect(auditAt(AUDITS.slice(3), null)).toBeNull();
  });

  it("turns Dana's update into moves, her comment and her as the actor", () => {
    // Zendesk's `new` and `open` are both canonical open.
    expect(auditFacts(AUDITS[1] as ZendeskAudit)).toEqual(DANAS_UPDATE);
  });

  it('reads a Create audit as a new ticket, with its first comment', () => {
    expect(auditFacts(AUDITS[0] as ZendeskAudit)).toEqual({
      actorId: '8447388090494',
      updatedAt: '2025-01-08T10:12:07Z',
      created: true,
      comment: { id: '30112233445501', authorId: '8447388090494', public: true },
    });
  });

  it("names no actor for Zendesk's system user (-1)", () => {
    expect(auditFacts(AUDITS[2] as ZendeskAudit)).toEqual({ actorId: null, updatedAt: '2025-01-08T14:25:30Z', created: false });
  });

  it('reads priority moves and numeric ids', () => {
    const audit = auditsPageSchema.parse({
      audits: [
        {
          id: 30112233445800,
          ticket_id: 5158,
          created_at: '2025-01-09T08:00:00Z',
          author_id: 8447388090496,
          events: [
            { id: 30112233445801, type: 'Change', field_name: 'priority', value: 'urgent', previous_value: 'high' },
            { id: 30112233445802, type: 'Change', field_name: 'assignee_id', value: 8447388090496, previous_value: '' },
            { id: 30112233445803, type: 'Change', field_name: 'status', value: 'hold', previous_value: 'Solved' },
          ],
        },
      ],
    }).audits[0] as ZendeskAudit;
    expect(auditFacts(audit)).toMatchObject({
      priority: { from: 'high', to: 'urgent' },
      assignee: { from: null, to: '8447388090496' },
      status: { from: 'resolved', to: 'on_hold' },
    });
  });
});

describe('ZendeskClient.historyFacts', () => {
  it('walks the audit pages with our credentials and answers the facts of the matching audit', async () => {
    const scope = nock(BASE_URL)
      .matchHeader('authorization', AUTH_HEADER)
      .get('/api/v2/tickets/5158/audits.json')
      .query({ 'page[size]': '100' })
      .reply(200, fixture('ticket-audits-page-1.json'))
      .get('/api/v2/tickets/5158/audits.json')
      .query({ 'page[size]': '100', 'page[after]': 'eyJvIjoiY3JlYXRlZF9hdCIsInYiOiJaQUFBQUFBQUFBQUEifQ==' })
      .reply(200, fixture('ticket-audits-page-2.json'));

    await expect(makeClient().historyFacts('5158', '2025-01-08T14:25:30Z')).resolves.toEqual(DANAS_UPDATE);
    scope.done();
  });

  it("reads an archived ticket's audits, which come in one answer without meta", async () => {
    const { audits } = fixture<{ audits: unknown[] }>('ticket-audits-page-1.json');
    const scope = nock(BASE_URL).get('/api/v2/tickets/5158/audits.json').query(true).reply(200, { audits, next_page: null, previous_page: null, count: 2 });

    await expect(makeClient().historyFacts('5158', '2025-01-08T10:12:07Z')).resolves.toMatchObject({ created: true });
    scope.done();
  });

  it('answers null for a ticket whose audits changed nothing', async () => {
    nock(BASE_URL)
      .get('/api/v2/tickets/5158/audits.json')
      .query(true)
      .reply(200, { audits: [], meta: { has_more: false, after_cursor: null, before_cursor: null }, links: { prev: null, next: null } });

    await expect(makeClient().historyFacts('5158', null)).resolves.toBeNull();
  });

  it('fails as the vendor error on a 404', async () => {
    nock(BASE_URL).get('/api/v2/tickets/5999/audits.json').query(true).reply(404, fixture('error-404-record-not-found.json'));

    await expect(makeClient().historyFacts('5999', null)).rejects.toMatchObject({ name: 'VendorApiError', status: 404, operation: 'listAudits' });
  });
});
