import { readFileSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { createLogger } from '../../../src/logging/logger';
import { collect } from '../../../src/vendors/core/http-client';
import { FreshdeskClient, TICKET_LIST_PAGE_WALL } from '../../../src/vendors/freshdesk/client';

const BASE = 'https://acme-help.freshdesk.com';
const API_KEY = 'Fd8kQ2vXr7LmN3pT';
const AUTH = `Basic ${Buffer.from(`${API_KEY}:X`).toString('base64')}`;

type Row = Record<string, unknown>;
const fixture = (name: string): Row[] =>
  JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/freshdesk/api', name), 'utf8')) as Row[];

const makeClient = () =>
  new FreshdeskClient({
    connectionId: 'fd-main',
    baseUrl: BASE,
    apiKey: API_KEY,
    timeoutMs: 2_000,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000 },
    logger: createLogger({ level: 'silent' }),
    customStatusMap: { '6': 'on_hold' },
  });

const freshdesk = () => nock(BASE, { reqheaders: { authorization: AUTH } });

const listQuery = (since: string, page: number) => ({
  updated_since: since,
  order_by: 'updated_at',
  order_type: 'asc',
  per_page: '100',
  page: String(page),
  include: 'description',
});

const nextHeader = (since: string, page: number) => ({
  Link: `<${BASE}/api/v2/tickets?${new URLSearchParams(listQuery(since, page)).toString()}>; rel="next"`,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('FreshdeskClient.listTicketsUpdatedSince', () => {
  it('follows the Link header through every page, oldest change first', async () => {
    const since = '2025-03-01T00:00:00Z';
    const scope = freshdesk()
      .get('/api/v2/tickets')
      .query(listQuery(since, 1))
      .reply(200, fixture('tickets-updated-page1.json'), nextHeader(since, 2))
      .get('/api/v2/tickets')
      .query(listQuery(since, 2))
      .reply(200, fixture('tickets-updated-page2.json'));

    const tickets = await collect(makeClient().listTicketsUpdatedSince(since));

    expect(scope.isDone()).toBe(true);
    expect(tickets).toHaveLength(102);
    expect(tickets[0]).toMatchObject({ id: '4700', status: 'open', descriptionText: 'Report 0: cannot export invoices to csv.', comments: [] });
    expect(tickets[4]).toMatchObject({ id: '4704', status: 'on_hold', vendorStatus: '6' });
    expect(tickets[101]).toMatchObject({ id: '4801', updatedAt: '2025-03-01T01:41:05Z' });
  });

  it('starts a new updated_since window at the 300-page wall and skips what it already yielded', async () => {
    const since = '2025-03-01T00:00:00Z';
    const [template] = fixture('tickets-updated-page1.json');
    const record = (id: number, updatedAt: string): Row => ({ ...template, id, updated_at: updatedAt });
    const stamp = (page: number) => new Date(Date.parse(since) + page * 1000).toISOString().replace('.000Z', 'Z');
    const boundary = stamp(TICKET_LIST_PAGE_WALL);

    // One record a page keeps the test fast; what matters is the page count and the Link header.
    const firstWindow = freshdesk()
      .get('/api/v2/tickets')
      .query((q) => q['updated_since'] === since)
      .times(TICKET_LIST_PAGE_WALL)
      .reply((uri) => {
        const page = Number(new URL(uri, BASE).searchParams.get('page'));
        return [200, [record(10_000 + page, stamp(page))], nextHeader(since, page + 1)];
      });
    const secondWindow = freshdesk()
      .get('/api/v2/tickets')
      .query(listQuery(boundary, 1))
      .reply(200, [
        record(10_000 + TICKET_LIST_PAGE_WALL, boundary),
        record(20_001, boundary),
        record(20_002, stamp(TICKET_LIST_PAGE_WALL + 5)),
      ]);

    const tickets = await collect(makeClient().listTicketsUpdatedSince(since));

    expect(firstWindow.isDone()).toBe(true);
    expect(secondWindow.isDone()).toBe(true);
    expect(tickets).toHaveLength(TICKET_LIST_PAGE_WALL + 2);
    expect(tickets.slice(-3).map((t) => t.id)).toEqual(['10300', '20001', '20002']);
    expect(new Set(tickets.map((t) => `${t.id}@${t.updatedAt}`)).size).toBe(tickets.length);
  });

  it('yields nothing for an empty window', async () => {
    const since = '2025-04-01T00:00:00Z';
    const scope = freshdesk().get('/api/v2/tickets').query(listQuery(since, 1)).reply(200, []);

    await expect(collect(makeClient().listTicketsUpdatedSince(since))).resolves.toEqual([]);
    expect(scope.isDone()).toBe(true);
  });
});
