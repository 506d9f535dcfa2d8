import nock from 'nock';
import { fixture } from '../../helpers/fixtures';
import { TICKET_LIST_PAGE_WALL } from '../../../src/vendors/freshdesk/client';
import { eventsOf, jobsConfig, jobsRig, link } from './rig';

/**
 * Vendor behaviours the jobs lean on, pinned with nock and the vendors' recorded answers:
 * Zendesk's export loop until end_of_stream and its 10-a-minute 429, Freshdesk's 300-page
 * wall, Jira's nextPageToken and bounded JQL.
 */

const ZENDESK = 'https://acme.zendesk.com';
const FRESHDESK = 'https://acme.freshdesk.com';
const JIRA = 'https://acme.atlassian.net';
const only = (vendor: 'zendesk' | 'freshdesk' | 'jira') => ({
  FRESHDESK_URL: vendor === 'freshdesk' ? FRESHDESK : undefined,
  ZENDESK_URL: vendor === 'zendesk' ? ZENDESK : undefined,
  JIRA_URL: vendor === 'jira' ? JIRA : undefined,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

type Row = Record<string, unknown>;

describe('poll of Zendesk: the cursor-based incremental export', () => {
  const now = new Date('2025-01-08T15:00:00Z');
  const first = fixture<{ after_cursor: string; tickets: Row[] }>('zendesk/api/incremental-first.json');

  it('starts at start_time once, follows the cursor to end_of_stream, and keeps the last after_cursor', async () => {
    const rig = jobsRig(jobsConfig(only('zendesk')), { now: () => now });
    const scope = nock(ZENDESK)
      .get('/api/v2/incremental/tickets/cursor.json')
      .query({ start_time: String(Math.floor(now.getTime() / 1000) - 3600), per_page: '1000' })
      .reply(200, first)
      .get('/api/v2/incremental/tickets/cursor.json')
      .query({ cursor: first.after_cursor })
      .reply(200, fixture('zendesk/api/incremental-last.json'));

    const result = await rig.run({ job: 'poll' });

    expect(scope.isDone()).toBe(true);
    // 5161 is reported deleted and was never seen: nothing to do for it.
    expect(result).toMatchObject({ outcome: 'ok', summary: { seen: 3, changed: 2, enqueued: 2, errors: 0 } });
    const events = await eventsOf(rig.store, 'zendesk');
    expect(events.map((e) => [e.entityKey, e.eventType, e.source, e.dedupeKey])).toEqual(
      first.tickets.slice(0, 2).map((t) => [`ticket:${t.id}`, 'poll.ticket_changed', 'poll', `poll:${t.id}:${t.updated_at}`]),
    );
    expect(events[0]?.payload).toMatchObject({ poll: { updatedAt: '2025-01-08T14:25:30Z' } });
    expect(await rig.store.getCursor('poll:zendesk:default')).toBe(first.after_cursor);
  });

  it('waits out a 429 of the 10-a-minute limit (Retry-After) and resumes from the saved cursor only', async () => {
    const rig = jobsRig(jobsConfig(only('zendesk')), { now: () => now });
    await rig.store.setCursor('poll:zendesk:default', first.after_cursor, now);
    const scope = nock(ZENDESK)
      .get('/api/v2/incremental/tickets/cursor.json')
      .query({ cursor: first.after_cursor })
      .reply(429, { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' }, { 'Retry-After': '1' })
      .get('/api/v2/incremental/tickets/cursor.json')
      .query({ cursor: first.after_cursor })
      .reply(200, fixture('zendesk/api/incremental-last.json'));

    const started = Date.now();
    const result = await rig.run({ job: 'poll' });

    expect(scope.isDone()).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(result).toMatchObject({ outcome: 'ok', summary: { seen: 0, enqueued: 0 } });
  });

  it('queues nothing for a state the snapshot already has, and a deletion as a deletion', async () => {
    const rig = jobsRig(jobsConfig(only('zendesk')), { now: () => now });
    const snapshot = (id: unknown, vendorUpdatedAt: string) =>
      rig.store.saveSnapshot({ ref: { vendor: 'zendesk', connectionId: 'default', id: String(id) }, data: {}, vendorUpdatedAt, savedAt: now, deleted: false });
    const [kept, , deleted] = first.tickets;
    await snapshot(kept?.id, String(kept?.updated_at));
    await snapshot(deleted?.id, '2025-01-08T12:00:00Z');
    nock(ZENDESK).get('/api/v2/incremental/tickets/cursor.json').query(true).reply(200, first).get('/api/v2/incremental/tickets/cursor.json').query(true).reply(200, fixture('zendesk/api/incremental-last.json'));

    const result = await rig.run({ job: 'poll' });

    expect(result.summary).toMatchObject({ seen: 3, changed: 2, enqueued: 2 });
    expect((await eventsOf(rig.store, 'zendesk')).map((e) => [e.entityKey, e.eventType])).toEqual([
      ['ticket:5160', 'poll.ticket_changed'],
      ['ticket:5161', 'poll.ticket_deleted'],
    ]);
  });
});

describe('backfill of Freshdesk: past the 300-page wall', () => {
  it('walks every window of updated_since and queues each ticket once, saving its place page by page', async () => {
    const since = '2025-03-01T00:00:00Z';
    const [template] = fixture<Row[]>('freshdesk/api/tickets-updated-page1.json');
    const record = (id: number, updatedAt: string): Row => ({ ...template, id, updated_at: updatedAt });
    const stamp = (n: number) => new Date(Date.parse(since) + n * 1000).toISOString().replace('.000Z', 'Z');
    const boundary = stamp(TICKET_LIST_PAGE_WALL);
    const query = (from: string, page: number) => ({ updated_since: from, order_by: 'updated_at', order_type: 'asc', per_page: '100', page: String(page), include: 'description' });
    const next = (from: string, page: number) => ({ Link: `<${FRESHDESK}/api/v2/tickets?${new URLSearchParams(query(from, page)).toString()}>; rel="next"` });
    // One record a page keeps the test fast; what matters is the page count and the Link header.
    const firstWindow = nock(FRESHDESK)
      .get('/api/v2/tickets')
      .query((q) => q['updated_since'] === since)
      .times(TICKET_LIST_PAGE_WALL)
      .reply((uri) => {
        const page = Number(new URL(uri, FRESHDESK).searchParams.get('page'));
        return [200, [record(10_000 + page, stamp(page))], next(since, page + 1)];
      });
    const secondWindow = nock(FRESHDESK)
      .get('/api/v2/tickets')
      .query(query(boundary, 1))
      .reply(200, [record(10_000 + TICKET_LIST_PAGE_WALL, boundary), record(20_001, boundary), record(20_002, stamp(TICKET_LIST_PAGE_WALL + 5))]);
    const rig = jobsRig(jobsConfig(only('freshdesk')));

    const result = await rig.run({ job: 'backfill', since: new Date(since) });

    expect(firstWindow.isDone() && secondWindow.isDone()).toBe(true);
    expect(result).toMatchObject({ outcome: 'ok', summary: { seen: TICKET_LIST_PAGE_WALL + 2, enqueued: TICKET_LIST_PAGE_WALL + 2 } });
    const events = await eventsOf(rig.store, 'freshdesk');
    expect(new Set(events.map((e) => e.entityKey)).size).toBe(events.length);
    expect(events.every((e) => e.source === 'backfill' && e.eventType === 'backfill.ticket')).toBe(true);
    expect(events.at(-1)?.dedupeKey).toBe(`backfill:20002:${stamp(TICKET_LIST_PAGE_WALL + 5)}`);
    expect(JSON.parse((await rig.store.getCursor('backfill:freshdesk:default')) ?? '{}')).toEqual({ since, position: stamp(TICKET_LIST_PAGE_WALL + 5), after: null, complete: true });
  });
});

describe('poll of Jira: bounded JQL and nextPageToken', () => {
  it('reads from the cursor minus the overlap, follows every token and queues only issues we know', async () => {
    const rig = jobsRig(jobsConfig(only('jira')));
    await rig.store.setCursor('poll:jira:default', '2025-01-09T09:00:30.000+0000', new Date());
    // SUP-311 is linked to a ticket; SUP-316 was seen before (a snapshot); SUP-312 and SUP-320 are not ours.
    await link(rig.store, { vendor: 'zendesk', connectionId: 'default', id: '5158' }, { id: '10002', key: 'SUP-311' });
    await rig.store.saveSnapshot({ ref: { vendor: 'jira', connectionId: 'default', id: '10007' }, data: {}, vendorUpdatedAt: '2025-01-09T09:00:00.000+0000', savedAt: new Date(), deleted: false });
    const bodies: Array<Record<string, unknown>> = [];
    const capture = (body: Record<string, unknown>) => {
      bodies.push(body);
      return true;
    };
    // The API user's zone, read once per process: JQL dates are written in it.
    nock(JIRA).get('/rest/api/3/myself').optionally().reply(200, { accountId: '712020:5f0c1e2a-9b7d-4a61-8e3f-0c2d4b6a8e10', displayName: 'helpdesk-sync', timeZone: 'Etc/UTC', active: true });
    const scope = nock(JIRA)
      .post('/rest/api/3/search/jql', capture)
      .reply(200, fixture('jira/api/search-jql-page-1.json'))
      .post('/rest/api/3/search/jql', capture)
      .reply(200, fixture('jira/api/search-jql-page-2.json'))
      .post('/rest/api/3/search/jql', capture)
      .reply(200, fixture('jira/api/search-jql-page-3.json'));

    const result = await rig.run({ job: 'poll' });

    expect(scope.isDone()).toBe(true);
    expect(bodies.map((b) => b.nextPageToken)).toEqual([undefined, 'CAEaAggD', 'CAIaAggG']);
    expect(bodies[0]).toMatchObject({ jql: 'project = SUP AND updated >= "2025-01-09 08:58" ORDER BY updated ASC', maxResults: 100 });
    expect(bodies[0]?.fields).toContain('updated');
    expect(bodies[0]?.fields).not.toContain('comment');
    expect(result).toMatchObject({ outcome: 'ok', summary: { seen: 4, changed: 2, enqueued: 2 } });
    const events = await eventsOf(rig.store, 'jira');
    expect(events.map((e) => [e.entityKey, e.eventType, e.dedupeKey])).toEqual([
      ['issue:10002', 'poll.issue_changed', 'poll:10002:2025-01-09T09:12:44.017Z'],
      ['issue:10007', 'poll.issue_changed', 'poll:10007:2025-01-09T09:20:10.500Z'],
    ]);
    expect(events[0]?.payload).toMatchObject({ poll: { key: 'SUP-311' } });
    expect(await rig.store.getCursor('poll:jira:default')).toBe('2025-01-09T09:30:00.000Z');
  });
});
