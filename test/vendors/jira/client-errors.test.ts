import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { createLogger } from '../../../src/logging/logger';
import { VendorApiError } from '../../../src/vendors/core/errors';
import { JiraClient, errorDetails } from '../../../src/vendors/jira/client';

const BASE = 'https://acme.atlassian.net';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/jira/api', name), 'utf8')) as Record<string, unknown>;

const makeClient = (maxRetryAfterMs = 5000) =>
  new JiraClient({
    connectionId: 'jira-acme',
    baseUrl: BASE,
    email: 'sync-bot@acme.example',
    apiToken: 'ATATT3xFfGF0-test-token',
    timeoutMs: 2000,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs },
    logger: createLogger({ level: 'silent' }),
  });

async function caught(promise: Promise<unknown>): Promise<VendorApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof VendorApiError) return err;
    throw err;
  }
  throw new Error('expected a VendorApiError');
}

const createInput = { fields: { project: { key: 'SUP' }, issuetype: { name: 'Bug' }, summary: '' } };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('JiraClient retries', () => {
  it('retries a 429 after Retry-After and then succeeds', async () => {
    const scope = nock(BASE)
      .get('/rest/api/3/issue/SUP-311')
      .query(true)
      .reply(429, fixture('error-429.json'), { 'Retry-After': '0', 'RateLimit-Reason': 'jira-burst-based' })
      .get('/rest/api/3/issue/SUP-311')
      .query(true)
      .reply(200, fixture('issue-SUP-311.json'));

    const issue = await makeClient().getIssue('SUP-311');

    expect(issue.key).toBe('SUP-311');
    scope.done();
  });

  it('honours Beta-Retry-After when it is the only hint', async () => {
    const scope = nock(BASE)
      .post('/rest/api/3/issue/SUP-311/comment')
      .reply(429, fixture('error-429.json'), { 'Beta-Retry-After': '0' })
      .post('/rest/api/3/issue/SUP-311/comment')
      .reply(201, fixture('comment-201.json'));

    await expect(
      makeClient().addComment('SUP-311', { version: 1, type: 'doc', content: [] }),
    ).resolves.toEqual({ id: '10087' });
    scope.done();
  });

  // Backoff in these tests is at most 5 ms, so a wait near a second can only come from the header.
  it.each([['Retry-After'], ['Beta-Retry-After']])('waits as long as %s asks before retrying', async (header) => {
    const scope = nock(BASE)
      .post('/rest/api/3/issue/SUP-311/remotelink')
      .reply(429, fixture('error-429.json'), { [header]: '1' })
      .post('/rest/api/3/issue/SUP-311/remotelink')
      .reply(201, fixture('remotelink-201.json'));
    const started = Date.now();

    await makeClient().addRemoteLink('SUP-311', {
      globalId: 'zendesk:acme:ticket:5158',
      object: { url: 'https://acme.zendesk.com/agent/tickets/5158', title: 'ZD #5158' },
    });

    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    scope.done();
  });

  it('does not sleep through a Beta-Retry-After longer than the policy allows', async () => {
    const scope = nock(BASE)
      .get('/rest/api/3/issue/SUP-311/transitions')
      .once()
      .reply(429, fixture('error-429.json'), { 'Beta-Retry-After': '60' });

    const err = await caught(makeClient(5000).listTransitions('SUP-311'));

    expect(err.kind).toBe('rate_limited');
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(60_000);
    expect(err.attempts).toBe(1);
    scope.done();
  });

  it('retries a 503 and then succeeds', async () => {
    const scope = nock(BASE)
      .post('/rest/api/3/search/jql')
      .reply(503, 'Service Unavailable')
      .post('/rest/api/3/search/jql')
      .reply(200, fixture('search-jql-page-3.json'));

    const page = await makeClient().searchPage('project = SUP ORDER BY updated ASC', []);

    expect(page.issues.map((i) => i.key)).toEqual(['SUP-320']);
    scope.done();
  });

  it('gives up after the configured retries with a server error', async () => {
    const scope = nock(BASE).get('/rest/api/3/issue/SUP-311/transitions').times(4).reply(502);
    const err = await caught(makeClient().listTransitions('SUP-311'));
    expect(err.kind).toBe('server');
    expect(err.status).toBe(502);
    expect(err.attempts).toBe(4);
    scope.done();
  });
});

describe('JiraClient errors', () => {
  it('a 400 on create is not retried and names the operation and the offending field', async () => {
    const scope = nock(BASE)
      .post('/rest/api/3/issue')
      .once()
      .reply(400, fixture('error-400-create-summary.json'));

    const err = await caught(makeClient().createIssue(createInput));

    expect(err.kind).toBe('client');
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.attempts).toBe(1);
    expect(err.operation).toBe('createIssue');
    expect(err.path).toBe('/rest/api/3/issue');
    expect(err.fields).toEqual({ summary: 'You must specify a summary of the issue.' });
    expect(err.message).toContain('createIssue');
    expect(err.message).toContain('summary: You must specify a summary of the issue.');
    scope.done();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('a 401 on getIssueProperty is a client error, not null', async () => {
    nock(BASE).get('/rest/api/3/issue/SUP-311/properties/k').reply(401, {
      errorMessages: ['You are not authorized to perform this operation. Please log in.'],
      errors: {},
    });
    const err = await caught(makeClient().getIssueProperty('SUP-311', 'k'));
    expect(err.status).toBe(401);
    expect(err.vendorMessage).toBe('You are not authorized to perform this operation. Please log in.');
  });

  it('a 2xx body of the wrong shape is an invalid_response error', async () => {
    const broken = fixture('issue-SUP-311.json');
    delete (broken as { key?: unknown }).key;
    const scope = nock(BASE).get('/rest/api/3/issue/10002').query(true).once().reply(200, broken);

    const err = await caught(makeClient().getIssue('10002'));

    expect(err.kind).toBe('invalid_response');
    expect(err.retryable).toBe(false);
    expect(err.vendorMessage).toContain('key');
    scope.done();
  });

  it('an HTML page answering a JSON call is an invalid_response error', async () => {
    nock(BASE).post('/rest/api/3/issue').reply(201, '<html><body>Atlassian</body></html>', {
      'Content-Type': 'text/html',
    });
    const err = await caught(makeClient().createIssue(createInput));
    expect(err.kind).toBe('invalid_response');
  });
});

describe('errorDetails', () => {
  it('joins errorMessages and keeps the field map', () => {
    expect(
      errorDetails({ errorMessages: ['INVALID_INPUT', 'second'], errors: { labels: "The label 'x y' contains spaces which is invalid." } }),
    ).toEqual({
      message: 'INVALID_INPUT; second',
      fields: { labels: "The label 'x y' contains spaces which is invalid." },
    });
  });

  it('omits fields when Jira named none', () => {
    expect(errorDetails({ errorMessages: ['INVALID_INPUT'], errors: {} })).toEqual({ message: 'INVALID_INPUT' });
  });

  it('keeps short text bodies and drops HTML and non-objects', () => {
    expect(errorDetails('Rate limit exceeded')).toEqual({ message: 'Rate limit exceeded' });
    expect(errorDetails('<html>Bad gateway</html>')).toEqual({ message: '' });
    expect(errorDetails(undefined)).toEqual({ message: '' });
    expect(errorDetails(42)).toEqual({ message: '' });
  });
});
