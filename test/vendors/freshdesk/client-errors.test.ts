import { readFileSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { createLogger } from '../../../src/logging/logger';
import { VendorApiError } from '../../../src/vendors/core/errors';
import { FreshdeskClient, errorDetails, nextLink } from '../../../src/vendors/freshdesk/client';

const BASE = 'https://acme-help.freshdesk.com';
const API_KEY = 'Fd8kQ2vXr7LmN3pT';
const AUTH = `Basic ${Buffer.from(`${API_KEY}:X`).toString('base64')}`;

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/freshdesk/api', name), 'utf8'));

const makeClient = () =>
  new FreshdeskClient({
    connectionId: 'fd-main',
    baseUrl: BASE,
    apiKey: API_KEY,
    timeoutMs: 2_000,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000 },
    logger: createLogger({ level: 'silent' }),
  });

const freshdesk = () => nock(BASE, { reqheaders: { authorization: AUTH } });

async function failure(promise: Promise<unknown>): Promise<VendorApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof VendorApiError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('Freshdesk retries', () => {
  it('sleeps through a 429 with Retry-After and retries', async () => {
    const scope = freshdesk()
      .post('/api/v2/tickets/4821/notes', { body: '<p>hi</p>', private: true })
      .reply(429, '', { 'Retry-After': '1', 'X-RateLimit-Total': '200', 'X-RateLimit-Remaining': '0' })
      .post('/api/v2/tickets/4821/notes', { body: '<p>hi</p>', private: true })
      .reply(201, fixture('note-created.json') as nock.Body);

    const started = Date.now();
    await expect(makeClient().addPrivateNote('4821', '<p>hi</p>')).resolves.toEqual({ id: '43015649001' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(scope.isDone()).toBe(true);
  });

  it('gives up at once, retryable, when Retry-After is longer than the policy allows', async () => {
    freshdesk().get('/api/v2/contacts/43022118870').reply(429, '', { 'Retry-After': '60' });

    const err = await failure(makeClient().getContact('43022118870'));

    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 60_000, attempts: 1, retryable: true });
  });

  it('retries 5xx until it succeeds', async () => {
    const scope = freshdesk()
      .get('/api/v2/companies/43000345678')
      .reply(502, '<html>Bad Gateway</html>')
      .get('/api/v2/companies/43000345678')
      .reply(503, '')
      .get('/api/v2/companies/43000345678')
      .reply(200, fixture('company-43000345678.json') as nock.Body);

    await expect(makeClient().getCompany('43000345678')).resolves.toMatchObject({ name: 'Acme Industries' });
    expect(scope.isDone()).toBe(true);
  });

  it('fails with kind server after the last retry', async () => {
    freshdesk().get('/api/v2/companies/43000345678').times(4).reply(500, { code: 'internal_error', message: 'We are facing some issues' });

    const err = await failure(makeClient().getCompany('43000345678'));

    expect(err).toMatchObject({ kind: 'server', status: 500, attempts: 4, vendorMessage: 'We are facing some issues' });
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('Freshdesk client errors are not retried', () => {
  it('raises a 400 with the operation and the field names', async () => {
    const scope = freshdesk()
      .put('/api/v2/tickets/4821', { status: 5, responder_id: 43000000001 })
      .reply(400, fixture('error-validation.json') as nock.Body);

    const err = await failure(makeClient().updateTicket('4821', { status: 'closed', assigneeId: '43000000001' }));

    expect(scope.isDone()).toBe(true);
    expect(err).toMatchObject({
      vendor: 'freshdesk',
      connectionId: 'fd-main',
      operation: 'updateTicket',
      method: 'PUT',
      path: '/api/v2/tickets/4821',
      kind: 'client',
      status: 400,
      attempts: 1,
      vendorMessage: 'Validation failed',
      fields: {
        status: "It should be one of these values: '2,3,4,5,6,7'",
        responder_id: 'There is no agent matching the given responder_id',
      },
    });
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('status: It should be one of these values');
  });

  it('raises a 404 once, with the path but never the query string', async () => {
    const scope = freshdesk().get('/api/v2/tickets/999999').query({ include: 'requester,company,conversations' }).reply(404, '');

    const err = await failure(makeClient().getTicket('999999'));

    expect(scope.isDone()).toBe(true);
    expect(err).toMatchObject({ operation: 'getTicket', status: 404, kind: 'client', attempts: 1, path: '/api/v2/tickets/999999' });
    expect(err.notFound).toBe(true);
    expect(err.message).not.toContain('include');
  });

  it('raises a 403 with Freshdesk code-and-message body', async () => {
    freshdesk().get('/api/v2/contacts/1').reply(403, fixture('error-access-denied.json') as nock.Body);

    const err = await failure(makeClient().getContact('1'));

    expect(err).toMatchObject({ status: 403, kind: 'client', attempts: 1, vendorMessage: 'You are not authorized to perform this action.' });
  });

  it('fails the ticket when an agent lookup keeps failing with 5xx, and looks it up again next time', async () => {
    const client = makeClient();
    const ticketCalls = () =>
      freshdesk()
        .get('/api/v2/tickets/4821')
        .query({ include: 'requester,company,conversations' })
        .reply(200, fixture('ticket-4821.json') as nock.Body)
        .get('/api/v2/tickets/4821/conversations')
        .query({ per_page: '100', page: '1' })
        .reply(200, fixture('conversations-4821-page2.json') as nock.Body);
    ticketCalls().get('/api/v2/agents/43009817221').times(4).reply(503, '');

    const err = await failure(client.getTicket('4821'));
    expect(err).toMatchObject({ operation: 'getAgent', kind: 'server', attempts: 4 });

    const scope = ticketCalls()
      .get('/api/v2/agents/43009817221')
      .reply(200, fixture('agent-43009817221.json') as nock.Body)
      .get('/api/v2/agents/43009817999')
      .reply(200, fixture('agent-43009817999.json') as nock.Body);
    const ticket = await client.getTicket('4821');
    expect(scope.isDone()).toBe(true);
    expect(ticket.comments[0]?.author?.name).toBe('Priya Raman');
  });
});

describe('Freshdesk invalid responses', () => {
  it('raises invalid_response, not retried, when the body does not match the schema', async () => {
    const bad = { ...(fixture('ticket-4821.json') as Record<string, unknown>), status: 'Open' };
    const scope = freshdesk().get('/api/v2/tickets/4821').query({ include: 'requester,company,conversations' }).reply(200, bad);

    const err = await failure(makeClient().getTicket('4821'));

    expect(scope.isDone()).toBe(true);
    expect(err).toMatchObject({ kind: 'invalid_response', status: 200, attempts: 1, operation: 'getTicket' });
    expect(err.vendorMessage).toContain('status');
  });

  it('raises invalid_response when a conversation page is not a list', async () => {
    freshdesk()
      .get('/api/v2/tickets/5102')
      .query({ include: 'requester,company,conversations' })
      .reply(200, fixture('ticket-5102-no-company.json') as nock.Body)
      .get('/api/v2/tickets/5102/conversations')
      .query(true)
      .reply(200, { conversations: [] });

    const err = await failure(makeClient().getTicket('5102'));

    expect(err).toMatchObject({ kind: 'invalid_response', operation: 'listConversations' });
  });
});

describe('errorDetails', () => {
  it('reads a validation body, joining two messages on one field', () => {
    expect(
      errorDetails({
        description: 'Validation failed',
        errors: [
          { field: 'email', message: 'It should be a valid email address', code: 'invalid_value' },
          { field: 'email', message: 'Email is already taken', code: 'duplicate_value' },
          { message: 'no field here', code: 'invalid_value' },
        ],
      }),
    ).toEqual({ message: 'Validation failed', fields: { email: 'It should be a valid email address; Email is already taken' } });
  });

  it('reads code-and-message bodies and survives empty or foreign ones', () => {
    expect(errorDetails({ code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' })).toEqual({
      message: 'You have to be logged in to perform this action.',
    });
    expect(errorDetails('')).toEqual({ message: '' });
    expect(errorDetails(null)).toEqual({ message: '' });
    expect(errorDetails({ errors: 'nope' })).toEqual({ message: '' });
  });
});

describe('nextLink', () => {
  it('keeps only the path and query of the next page, whatever host the header names', () => {
    expect(nextLink({ link: '<https://acme-help.freshdesk.com/api/v2/tickets?page=2&per_page=100>; rel="next"' })).toBe(
      '/api/v2/tickets?page=2&per_page=100',
    );
    expect(nextLink({ link: '<https://evil.example/api/v2/tickets?page=2>; rel="next"' })).toBe('/api/v2/tickets?page=2');
    expect(nextLink({ link: '<https://acme-help.freshdesk.com/api/v2/tickets?page=1>; rel="prev"' })).toBeNull();
    expect(nextLink({})).toBeNull();
  });
});
