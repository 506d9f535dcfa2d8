import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { createLogger } from '../../../src/logging/logger';
import { VendorApiError } from '../../../src/vendors/core/errors';
import { ZendeskClient } from '../../../src/vendors/zendesk/client';

const BASE_URL = 'https://acme.zendesk.com';
const EMAIL = 'sync-bot@acme.example';
const API_TOKEN = 'wJbXo9mQ2kP7zT4hV1nR6sL8dF3gA5cE';
/** What Zendesk must receive: Basic base64("{email}/token:{api_token}"). */
const AUTH_HEADER = `Basic ${Buffer.from(`${EMAIL}/token:${API_TOKEN}`).toString('base64')}`;
const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'zendesk', 'api');

/** A fresh parse every time, so a test that edits its copy cannot leak into another. */
function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

function makeClient(): ZendeskClient {
  return new ZendeskClient({
    connectionId: 'zd-acme',
    // A trailing slash, as people paste it: the client must not produce "//api".
    baseUrl: `${BASE_URL}/`,
    timeoutMs: 2_000,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000 },
    logger: createLogger({ level: 'silent' }),
    email: EMAIL,
    apiToken: API_TOKEN,
  });
}

/** Zendesk, answering only requests that carry our credentials. */
function zendesk(): nock.Scope {
  return nock(BASE_URL).matchHeader('authorization', AUTH_HEADER);
}

async function failureOf(promise: Promise<unknown>): Promise<VendorApiError> {
  const err: unknown = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  if (!(err instanceof VendorApiError)) throw err;
  return err;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('ZendeskClient.getTicket', () => {
  it('reads the ticket with side-loads, then its comments, and maps them', async () => {
    const paths: string[] = [];
    const scope = zendesk()
      .get('/api/v2/tickets/5158.json')
      .query({ include: 'users,organizations' })
      .reply(function () {
        paths.push(this.req.path);
        return [200, fixture('ticket-show.json')];
      })
      .get('/api/v2/tickets/5158/comments.json')
      .query({ 'page[size]': '100', include: 'users' })
      .reply(function () {
        paths.push(this.req.path);
        return [200, fixture('ticket-comments.json')];
      });

    const ticket = await makeClient().getTicket('5158');

    expect(scope.isDone()).toBe(true);
    // Two calls. Brackets go percent-encoded, the spelling of Zendesk's own links.next.
    expect(paths).toEqual([
      '/api/v2/tickets/5158.json?include=users,organizations',
      '/api/v2/tickets/5158/comments.json?page%5Bsize%5D=100&include=users',
    ]);
    expect(ticket).toMatchObject({
      vendor: 'zendesk',
      connectionId: 'zd-acme',
      id: '5158',
      url: 'https://acme.zendesk.com/agent/tickets/5158',
      subject: 'Cannot login to mobile app',
      status: 'open',
      vendorStatus: 'open',
      priority: 'high',
      type: 'problem',
      groupId: '8447320466430',
      assigneeId: '8447388090495',
      tags: ['mobile', 'login', 'tier_2'],
      customFields: { '360012345678': 'ios', '360012345679': null, '360012345680': true },
    });
    expect(ticket.requester).toEqual({
      id: '8447388090494',
      name: 'Maria Keller',
      email: 'maria.keller@northwind.example',
      role: 'end-user',
      organisationId: '8447346622462',
    });
    expect(ticket.organisation).toEqual({
      id: '8447346622462',
      name: 'Northwind Traders',
      domains: ['northwind.example', 'northwind-traders.example'],
    });
    expect(ticket.comments.map((c) => [c.id, c.public, c.incoming, c.author?.role])).toEqual([
      ['30112233445501', true, true, 'end-user'],
      ['30112233445602', false, false, 'agent'],
      ['30112233445703', true, false, 'agent'],
    ]);
  });

  it('follows the comment cursor to collect a 150-comment conversation in order', async () => {
    const page1 = fixture<{ meta: { after_cursor: string } }>('big-comments-page-1.json');
    const scope = zendesk()
      .get('/api/v2/tickets/7004.json')
      .query({ include: 'users,organizations' })
      .reply(200, fixture('big-ticket-show.json'))
      .get('/api/v2/tickets/7004/comments.json')
      .query({ 'page[size]': '100', include: 'users' })
      .reply(200, page1)
      .get('/api/v2/tickets/7004/comments.json')
      .query({ 'page[size]': '100', 'page[after]': page1.meta.after_cursor, include: 'users' })
      .reply(200, fixture('big-comments-page-2.json'));

    const ticket = await makeClient().getTicket('7004');

    expect(scope.isDone()).toBe(true);
    expect(ticket.comments).toHaveLength(150);
    expect(ticket.comments[0]?.id).toBe('40500000000000');
    expect(ticket.comments[149]?.id).toBe(String(40500000000000 + 149 * 101));
    const created = ticket.comments.map((c) => c.createdAt);
    expect([...created].sort()).toEqual(created);
    // The admin is side-loaded only by page 2; the author must still be resolved.
    const byAdmin = ticket.comments.find((c) => c.authorId === '8447301234567');
    expect(byAdmin?.author).toMatchObject({ name: 'Ada Admin', role: 'admin' });
    expect(ticket.status).toBe('on_hold');
    expect(ticket.priority).toBe('urgent');
    expect(ticket.assigneeId).toBeNull();
    expect(ticket.organisation).toBeNull();
    expect(ticket.descriptionText).toBe('Exports to S3 fail with AccessDenied since the bucket policy change.');
    expect(ticket.comments[0]?.bodyText).toBe(ticket.descriptionText);
  });

  it('retries a 429 after its Retry-After and then succeeds', async () => {
    const scope = zendesk()
      .get('/api/v2/tickets/5158.json')
      .query(true)
      .reply(429, { error: 'TooManyRequests', description: 'Rate limited' }, { 'Retry-After': '0' })
      .get('/api/v2/tickets/5158.json')
      .query(true)
      .reply(200, fixture('ticket-show.json'))
      .get('/api/v2/tickets/5158/comments.json')
      .query(true)
      .reply(200, fixture('ticket-comments.json'));

    const ticket = await makeClient().getTicket('5158');

    expect(scope.isDone()).toBe(true);
    expect(ticket.comments).toHaveLength(3);
  });

  it('retries 5xx answers', async () => {
    const scope = zendesk()
      .get('/api/v2/tickets/5158.json')
      .query(true)
      .reply(503, 'Service Unavailable')
      .get('/api/v2/tickets/5158.json')
      .query(true)
      .reply(500, { error: 'InternalError' })
      .get('/api/v2/tickets/5158.json')
      .query(true)
      .reply(200, fixture('ticket-show.json'))
      .get('/api/v2/tickets/5158/comments.json')
      .query(true)
      .reply(200, fixture('ticket-comments.json'));

    await expect(makeClient().getTicket('5158')).resolves.toMatchObject({ id: '5158' });
    expect(scope.isDone()).toBe(true);
  });

  it('gives up after the retries with a server error that says so', async () => {
    zendesk().get('/api/v2/tickets/5158.json').query(true).times(4).reply(502, '<html>Bad Gateway</html>');

    const err = await failureOf(makeClient().getTicket('5158'));

    expect(err).toMatchObject({ kind: 'server', status: 502, attempts: 4, operation: 'getTicket', vendor: 'zendesk' });
    expect(err.retryable).toBe(true);
  });

  it('does not sleep through a Retry-After longer than the policy allows', async () => {
    const extra = zendesk().get('/api/v2/tickets/5158.json').query(true).times(2).reply(429, '', { 'Retry-After': '60' });

    const err = await failureOf(makeClient().getTicket('5158'));

    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 60_000, attempts: 1 });
    expect(err.retryable).toBe(true);
    expect(extra.pendingMocks()).toHaveLength(1);
  });

  it('raises a 404 at once, without retrying, naming the call', async () => {
    zendesk().get('/api/v2/tickets/999999.json').query(true).reply(404, fixture('error-404-record-not-found.json'));
    const retry = zendesk().get('/api/v2/tickets/999999.json').query(true).reply(200, fixture('ticket-show.json'));

    const err = await failureOf(makeClient().getTicket('999999'));

    expect(err).toMatchObject({
      vendor: 'zendesk',
      connectionId: 'zd-acme',
      operation: 'getTicket',
      method: 'GET',
      path: '/api/v2/tickets/999999.json',
      kind: 'client',
      status: 404,
      vendorMessage: 'RecordNotFound: Not found',
      attempts: 1,
    });
    expect(err.notFound).toBe(true);
    expect(retry.isDone()).toBe(false);
  });

  it('refuses an answer of the wrong shape as invalid_response', async () => {
    const show = fixture<{ ticket: Record<string, unknown> }>('ticket-show.json');
    show.ticket.id = 'not-a-number';
    zendesk().get('/api/v2/tickets/5158.json').query(true).reply(200, show);
    const retry = zendesk().get('/api/v2/tickets/5158.json').query(true).reply(200, fixture('ticket-show.json'));

    const err = await failureOf(makeClient().getTicket('5158'));

    expect(err.kind).toBe('invalid_response');
    expect(err.status).toBe(200);
    expect(err.vendorMessage).toContain('ticket.id');
    expect(err.retryable).toBe(false);
    expect(retry.isDone()).toBe(false);
  });

  it('refuses a ticket whose status it cannot map', async () => {
    const show = fixture<{ ticket: Record<string, unknown> }>('ticket-show.json');
    show.ticket.status = 'escalated';
    zendesk().get('/api/v2/tickets/5158.json').query(true).reply(200, show);

    const err = await failureOf(makeClient().getTicket('5158'));

    expect(err.kind).toBe('invalid_response');
    expect(err.vendorMessage).toContain('ticket.status');
  });
});

describe('ZendeskClient.addPrivateNote', () => {
  it('sends the HTML as a non-public comment and returns the Comment event id', async () => {
    let sent: unknown;
    const scope = zendesk()
      .put('/api/v2/tickets/5158.json', (body: unknown) => {
        sent = body;
        return true;
      })
      .matchHeader('content-type', /application\/json/)
      .reply(200, fixture('update-private-note.json'));

    const html = '<p>Escalated to Jira: <a href="https://acme.atlassian.net/browse/SUP-311">SUP-311</a></p>';
    const note = await makeClient().addPrivateNote('5158', html);

    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual({ ticket: { comment: { html_body: html, public: false } } });
    expect(note).toEqual({ id: '30112233445901' });
  });

  it('treats an update answer without a Comment event as invalid, not as a note id', async () => {
    const answer = fixture<{ audit: { events: Array<{ type: string }> } }>('update-private-note.json');
    answer.audit.events = answer.audit.events.filter((e) => e.type !== 'Comment');
    zendesk().put('/api/v2/tickets/5158.json').reply(200, answer);

    const err = await failureOf(makeClient().addPrivateNote('5158', '<p>x</p>'));

    expect(err.kind).toBe('invalid_response');
    expect(err.operation).toBe('addPrivateNote');
  });

  it('raises a 422 with the fields Zendesk named, without retrying', async () => {
    zendesk().put('/api/v2/tickets/5158.json').reply(422, fixture('error-422-record-invalid.json'));
    const retry = zendesk().put('/api/v2/tickets/5158.json').reply(200, fixture('update-private-note.json'));

    const err = await failureOf(makeClient().addPrivateNote('5158', '<p>note</p>'));

    expect(err).toMatchObject({
      operation: 'addPrivateNote',
      method: 'PUT',
      path: '/api/v2/tickets/5158.json',
      kind: 'client',
      status: 422,
      vendorMessage: 'RecordInvalid: Record validation errors',
      attempts: 1,
      fields: {
        assignee_id: 'Assignee: 8447388090999 is not an agent in group Tier 2',
        status: 'Status: closed prevents ticket update',
      },
    });
    expect(retry.isDone()).toBe(false);
  });
});

describe('ZendeskClient.updateTicket', () => {
  it('sends only the fields of the patch, with null to clear the assignee', async () => {
    let sent: unknown;
    const scope = zendesk()
      .put('/api/v2/tickets/5158.json', (body: unknown) => {
        sent = body;
        return true;
      })
      .reply(200, fixture('update-ticket.json'));

    await makeClient().updateTicket('5158', { assigneeId: null, groupId: '8447320466999', status: 'on_hold' });

    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual({ ticket: { assignee_id: null, group_id: 8447320466999, status: 'hold' } });
  });

  it.each([
    ['open', 'open'],
    ['in_progress', 'open'],
    ['pending', 'pending'],
    ['on_hold', 'hold'],
    ['resolved', 'solved'],
    ['closed', 'closed'],
  ] as const)('writes canonical status %s as Zendesk %s', async (canonical, vendor) => {
    let sent: unknown;
    zendesk()
      .put('/api/v2/tickets/5158.json', (body: unknown) => {
        sent = body;
        return true;
      })
      .reply(200, fixture('update-ticket.json'));

    await makeClient().updateTicket('5158', { status: canonical });

    expect(sent).toEqual({ ticket: { status: vendor } });
  });

  it('adds and removes tags through the tags endpoints, without reading the ticket first', async () => {
    const bodies: Record<string, unknown> = {};
    const scope = zendesk()
      .put('/api/v2/tickets/5158.json', (body: unknown) => {
        bodies.ticket = body;
        return true;
      })
      .reply(200, fixture('update-ticket.json'))
      .put('/api/v2/tickets/5158/tags.json', (body: unknown) => {
        bodies.add = body;
        return true;
      })
      .reply(200, fixture('tags-add.json'))
      .delete('/api/v2/tickets/5158/tags.json', (body: unknown) => {
        bodies.remove = body;
        return true;
      })
      .reply(200, { tags: ['mobile', 'login', 'jira_escalated'] });

    await makeClient().updateTicket('5158', {
      organisationId: '8447346622462',
      tags: { add: ['jira_escalated'], remove: ['tier_2'] },
    });

    expect(scope.isDone()).toBe(true);
    expect(bodies).toEqual({
      ticket: { ticket: { organization_id: 8447346622462 } },
      add: { tags: ['jira_escalated'] },
      remove: { tags: ['tier_2'] },
    });
  });

  it('accepts a 204 from the remove-tags endpoint and skips the ticket PUT for a tags-only patch', async () => {
    const scope = zendesk().delete('/api/v2/tickets/5158/tags.json', { tags: ['tier_2'] }).reply(204);

    await makeClient().updateTicket('5158', { tags: { remove: ['tier_2'], add: [] } });

    expect(scope.isDone()).toBe(true);
  });

  it('makes no call at all for an empty patch', async () => {
    // With net connect disabled and nothing intercepted, any request would fail the call.
    await expect(makeClient().updateTicket('5158', {})).resolves.toBeUndefined();
    await expect(makeClient().updateTicket('5158', { tags: { add: [], remove: [] } })).resolves.toBeUndefined();
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('ZendeskClient.incrementalTickets', () => {
  it('starts from a start_time, then continues from the saved cursor', async () => {
    const first = fixture<{ after_cursor: string }>('incremental-first.json');
    const scope = zendesk()
      .get('/api/v2/incremental/tickets/cursor.json')
      .query({ start_time: '1736294400', per_page: '1000' })
      .reply(200, first)
      .get('/api/v2/incremental/tickets/cursor.json')
      .query({ cursor: first.after_cursor })
      .reply(200, fixture('incremental-last.json'));
    const client = makeClient();

    const page1 = await client.incrementalTickets({ startTime: 1736294400 });
    const page2 = await client.incrementalTickets({ cursor: page1.afterCursor ?? '' });

    expect(scope.isDone()).toBe(true);
    expect(page1.endOfStream).toBe(false);
    expect(page1.afterCursor).toBe('MTczNjM0NjY2MC4wfHw1MTYxfA==');
    expect(page1.tickets.map((t) => [t.id, t.status, t.vendorStatus, t.deleted])).toEqual([
      ['5158', 'open', 'open', false],
      ['5160', 'resolved', 'solved', false],
      ['5161', null, 'deleted', true],
    ]);
    expect(page1.tickets[0]?.raw.requester_id).toBe('8447388090494');
    expect(page2).toEqual({ tickets: [], afterCursor: 'MTczNjM0NjY2MC4wfHw1MTYxfA==', endOfStream: true });
  });
});

describe('ZendeskClient users, organizations and groups', () => {
  it('reads a user as a Person', async () => {
    zendesk().get('/api/v2/users/8447388090494.json').reply(200, fixture('user-show.json'));

    await expect(makeClient().getUser('8447388090494')).resolves.toEqual({
      id: '8447388090494',
      name: 'Maria Keller',
      email: 'maria.keller@northwind.example',
      role: 'end-user',
      organisationId: '8447346622462',
    });
  });

  it('reads an organization as an Organisation', async () => {
    zendesk().get('/api/v2/organizations/8447346622462.json').reply(200, fixture('organization-show.json'));

    await expect(makeClient().getOrganization('8447346622462')).resolves.toEqual({
      id: '8447346622462',
      name: 'Northwind Traders',
      domains: ['northwind.example', 'northwind-traders.example'],
    });
  });

  it('raises a 403 with the message of Zendesk\'s {title, message} error body', async () => {
    zendesk().get('/api/v2/organizations/1.json').reply(403, fixture('error-403-forbidden.json'));

    const err = await failureOf(makeClient().getOrganization('1'));

    expect(err).toMatchObject({ status: 403, kind: 'client', attempts: 1 });
    expect(err.vendorMessage).toBe(
      'Forbidden: You do not have access to this page. Please contact the account owner of this help desk for further help.',
    );
  });

  it('lists groups across cursor pages and leaves deleted ones out', async () => {
    const scope = zendesk()
      .get('/api/v2/groups.json')
      .query({ 'page[size]': '100' })
      .reply(200, {
        groups: [{ id: 8447320466499, name: 'Billing', deleted: false }],
        meta: { has_more: true, after_cursor: 'eyJvIjoiaWQiLCJ2IjoiZzEifQ==', before_cursor: null },
        links: { next: 'https://acme.zendesk.com/api/v2/groups.json?page%5Bafter%5D=eyJvIjoiaWQiLCJ2IjoiZzEifQ%3D%3D&page%5Bsize%5D=100', prev: null },
      })
      .get('/api/v2/groups.json')
      .query({ 'page[size]': '100', 'page[after]': 'eyJvIjoiaWQiLCJ2IjoiZzEifQ==' })
      .reply(200, fixture('groups.json'));

    const groups = await makeClient().listGroups();

    expect(scope.isDone()).toBe(true);
    expect(groups).toEqual([
      { id: '8447320466499', name: 'Billing' },
      { id: '8447320466430', name: 'Tier 2' },
      { id: '8447320466431', name: 'Support' },
    ]);
  });
});
