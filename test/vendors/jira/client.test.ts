import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { createLogger } from '../../../src/logging/logger';
import { collect } from '../../../src/vendors/core/http-client';
import { JiraClient } from '../../../src/vendors/jira/client';
import type { AdfDoc, JiraRemoteLink } from '../../../src/vendors/types';

const BASE = 'https://acme.atlassian.net';
const EMAIL = 'sync-bot@acme.example';
const TOKEN = 'ATATT3xFfGF0-test-token';
const BASIC = `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`;

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/jira/api', name), 'utf8')) as Record<string, unknown>;

const makeClient = () =>
  new JiraClient({
    connectionId: 'jira-acme',
    baseUrl: BASE,
    email: EMAIL,
    apiToken: TOKEN,
    timeoutMs: 2000,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5000 },
    logger: createLogger({ level: 'silent' }),
  });

const adf = (text: string): AdfDoc => ({
  version: 1,
  type: 'doc',
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});

/** Records the JSON body a request carried so the test can assert it after the call. */
function bodyRecorder() {
  const bodies: unknown[] = [];
  return {
    bodies,
    capture: (body: unknown) => {
      bodies.push(body);
      return true;
    },
  };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('JiraClient requests', () => {
  it('getIssue asks for the canonical fields and the comments with Basic email:token and maps the answer', async () => {
    const scope = nock(BASE, { reqheaders: { authorization: BASIC } })
      .get('/rest/api/3/issue/SUP-311')
      .query({ fields: 'summary,status,issuetype,priority,labels,assignee,resolution,created,updated,comment' })
      .reply(200, fixture('issue-SUP-311.json'));

    const issue = await makeClient().getIssue('SUP-311');

    expect(issue).toMatchObject({
      connectionId: 'jira-acme',
      id: '10002',
      key: 'SUP-311',
      url: 'https://acme.atlassian.net/browse/SUP-311',
      status: { id: '3', name: 'In Progress', categoryKey: 'indeterminate' },
      assigneeAccountId: '5b10a2844c20165700ede21g',
    });
    scope.done();
  });

  it('getIssue maps a complete embedded comment page without another call', async () => {
    const scope = nock(BASE).get('/rest/api/3/issue/SUP-311').query(true).reply(200, fixture('issue-SUP-311-comments.json'));

    const issue = await makeClient().getIssue('SUP-311');

    expect(issue.comments.map((c) => [c.id, c.public])).toEqual([
      ['10085', true],
      ['10086', false],
      ['10087', true],
    ]);
    scope.done();
  });

  it('getIssue reads every comment page when the embedded page holds fewer than total', async () => {
    // The embed holds the two newest of three; the endpoint serves two a page whatever was asked.
    const scope = nock(BASE, { reqheaders: { authorization: BASIC } })
      .get('/rest/api/3/issue/SUP-311')
      .query(true)
      .reply(200, fixture('issue-SUP-311-comments-partial.json'))
      .get('/rest/api/3/issue/10002/comment')
      .query({ startAt: '0', maxResults: '100', orderBy: 'created' })
      .reply(200, fixture('comments-SUP-311-page-1.json'))
      .get('/rest/api/3/issue/10002/comment')
      .query({ startAt: '2', maxResults: '100', orderBy: 'created' })
      .reply(200, fixture('comments-SUP-311-page-2.json'));

    const issue = await makeClient().getIssue('SUP-311');

    expect(issue.comments.map((c) => c.id)).toEqual(['10085', '10086', '10087']);
    expect(issue.comments[0]?.bodyText).toBe('Customer replied: the export still fails for PDF.');
    scope.done();
  });

  it('stops reading comment pages at an empty page even if total promised more', async () => {
    const scope = nock(BASE)
      .get('/rest/api/3/issue/SUP-311')
      .query(true)
      .reply(200, fixture('issue-SUP-311-comments-partial.json'))
      .get('/rest/api/3/issue/10002/comment')
      .query(true)
      .reply(200, { startAt: 0, maxResults: 100, total: 3, comments: [] });

    const issue = await makeClient().getIssue('SUP-311');

    // The embedded ones are kept: a comment deleted meanwhile is the only way to get here.
    expect(issue.comments.map((c) => c.id)).toEqual(['10086', '10087']);
    scope.done();
  });

  it('search keeps comments empty unless comment is asked for, and then completes them', async () => {
    const withComments = { issues: [fixture('issue-SUP-311-comments-partial.json')], isLast: true };
    const rec = bodyRecorder();
    const scope = nock(BASE)
      .post('/rest/api/3/search/jql', rec.capture)
      .reply(200, fixture('search-jql-page-3.json'))
      .post('/rest/api/3/search/jql', rec.capture)
      .reply(200, withComments)
      .get('/rest/api/3/issue/10002/comment')
      .query(true)
      .reply(200, { startAt: 0, maxResults: 100, total: 3, comments: (fixture('issue-SUP-311-comments.json').fields as { comment: { comments: unknown[] } }).comment.comments });

    const jql = 'project = SUP AND updated >= "2025-01-08 14:00" ORDER BY updated ASC';
    const plain = await makeClient().searchPage(jql, []);
    const commented = await makeClient().searchPage(jql, ['comment']);

    expect(plain.issues[0]?.comments).toEqual([]);
    expect((rec.bodies[0] as { fields: string[] }).fields).not.toContain('comment');
    expect(commented.issues[0]?.comments.map((c) => c.id)).toEqual(['10085', '10086', '10087']);
    scope.done();
  });

  it('encodes path segments', async () => {
    const scope = nock(BASE)
      .get('/rest/api/3/issue/SUP%2F1%3F')
      .query(true)
      .reply(200, fixture('issue-SUP-311.json'));
    await makeClient().getIssue('SUP/1?');
    scope.done();
  });

  it('createIssue posts fields with ADF description and properties in one call', async () => {
    const rec = bodyRecorder();
    const scope = nock(BASE, { reqheaders: { authorization: BASIC, 'content-type': /application\/json/ } })
      .post('/rest/api/3/issue', rec.capture)
      .reply(201, fixture('create-issue-201.json'));
    const fields = {
      project: { key: 'SUP' },
      issuetype: { name: 'Bug' },
      summary: 'Invoices export fails (ZD#5158)',
      description: adf('Export fails for PDF.'),
      labels: ['zendesk', 'customer-reported'],
      assignee: { accountId: '5b10a2844c20165700ede21g' },
    };
    const properties = [{ key: 'middleware.sync', value: { source: 'zendesk', ticketId: 5158 } }];

    const created = await makeClient().createIssue({ fields, properties });

    expect(created).toEqual({ id: '10002', key: 'SUP-311', self: 'https://acme.atlassian.net/rest/api/3/issue/10002' });
    expect(rec.bodies).toEqual([{ fields, properties }]);
    expect(rec.bodies[0]).toHaveProperty('fields.description.type', 'doc');
    scope.done();
  });

  it('addComment sends an ADF body and comment properties', async () => {
    const rec = bodyRecorder();
    const scope = nock(BASE, { reqheaders: { authorization: BASIC } })
      .post('/rest/api/3/issue/SUP-311/comment', rec.capture)
      .reply(201, fixture('comment-201.json'));
    const body = adf('Customer replied: the export still fails for PDF.');
    const properties = [{ key: 'sd.public.comment', value: { internal: true } }];

    const result = await makeClient().addComment('SUP-311', body, properties);

    expect(result).toEqual({ id: '10087' });
    expect(rec.bodies).toEqual([{ body, properties }]);
    scope.done();
  });

  it('addComment without properties sends only the body', async () => {
    const rec = bodyRecorder();
    nock(BASE).post('/rest/api/3/issue/10002/comment', rec.capture).reply(201, fixture('comment-201.json'));
    await makeClient().addComment('10002', adf('note'));
    expect(rec.bodies).toEqual([{ body: adf('note') }]);
  });

  it('listTransitions maps each transition with its target category', async () => {
    nock(BASE).get('/rest/api/3/issue/SUP-311/transitions').reply(200, fixture('transitions.json'));
    const transitions = await makeClient().listTransitions('SUP-311');
    expect(transitions.map((t) => [t.id, t.to.categoryKey])).toEqual([
      ['11', 'new'],
      ['21', 'indeterminate'],
      ['31', 'done'],
    ]);
  });

  it('doTransition posts the transition id and the comment as an update, and accepts 204', async () => {
    const rec = bodyRecorder();
    const scope = nock(BASE).post('/rest/api/3/issue/SUP-311/transitions', rec.capture).reply(204);
    const comment = adf('Resolved in release 2025.01.');

    await makeClient().doTransition('SUP-311', '31', comment);

    expect(rec.bodies).toEqual([{ transition: { id: '31' }, update: { comment: [{ add: { body: comment } }] } }]);
    scope.done();
  });

  it('doTransition without a comment sends no update', async () => {
    const rec = bodyRecorder();
    nock(BASE).post('/rest/api/3/issue/SUP-311/transitions', rec.capture).reply(204);
    await makeClient().doTransition('SUP-311', '21');
    expect(rec.bodies).toEqual([{ transition: { id: '21' } }]);
  });

  it('addRemoteLink sends the whole link including globalId and returns the numeric id as a string', async () => {
    const rec = bodyRecorder();
    const scope = nock(BASE, { reqheaders: { authorization: BASIC } })
      .post('/rest/api/3/issue/SUP-311/remotelink', rec.capture)
      .reply(201, fixture('remotelink-201.json'));
    const link: JiraRemoteLink = {
      globalId: 'zendesk:acme:ticket:5158',
      application: { type: 'com.zendesk', name: 'Zendesk' },
      relationship: 'customer ticket',
      object: {
        url: 'https://acme.zendesk.com/agent/tickets/5158',
        title: 'ZD #5158 Cannot export invoices',
        summary: 'Priority high, Enterprise',
        icon: { url16x16: 'https://acme.zendesk.com/favicon.ico', title: 'Zendesk' },
        status: { resolved: false },
      },
    };

    const result = await makeClient().addRemoteLink('SUP-311', link);

    expect(result).toEqual({ id: '10000' });
    expect(rec.bodies).toEqual([link]);
    expect(rec.bodies[0]).toHaveProperty('globalId', 'zendesk:acme:ticket:5158');
    scope.done();
  });

  it('addRemoteLink accepts 200 when Jira updated an existing link with the same globalId', async () => {
    nock(BASE).post('/rest/api/3/issue/SUP-311/remotelink').reply(200, { id: 10000, self: `${BASE}/x` });
    const result = await makeClient().addRemoteLink('SUP-311', {
      globalId: 'g',
      object: { url: 'https://acme.zendesk.com/agent/tickets/1', title: 't' },
    });
    expect(result).toEqual({ id: '10000' });
  });

  it('getIssueProperty returns the value', async () => {
    nock(BASE, { reqheaders: { authorization: BASIC } })
      .get('/rest/api/3/issue/SUP-311/properties/middleware.sync')
      .reply(200, fixture('property-middleware.sync.json'));
    await expect(makeClient().getIssueProperty('SUP-311', 'middleware.sync')).resolves.toEqual({
      source: 'zendesk',
      connectionId: 'zd-acme',
      ticketId: 5158,
      hash: '3f1c9a2e',
    });
  });

  it('getIssueProperty returns null on 404 and does not retry', async () => {
    const scope = nock(BASE)
      .get('/rest/api/3/issue/SUP-311/properties/middleware.sync')
      .once()
      .reply(404, fixture('error-404-property.json'));
    await expect(makeClient().getIssueProperty('SUP-311', 'middleware.sync')).resolves.toBeNull();
    scope.done();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('setIssueProperty PUTs the raw JSON value', async () => {
    const rec = bodyRecorder();
    const scope = nock(BASE, { reqheaders: { authorization: BASIC, 'content-type': /application\/json/ } })
      .put('/rest/api/3/issue/SUP-311/properties/middleware.sync', rec.capture)
      .reply(201);
    const value = { source: 'zendesk', ticketId: 5158, hash: 'ab12' };

    await makeClient().setIssueProperty('SUP-311', 'middleware.sync', value);

    expect(rec.bodies).toEqual([value]);
    scope.done();
  });

  it('setIssueProperty keeps a bare string a JSON string', async () => {
    let raw = '';
    nock(BASE)
      .put('/rest/api/3/issue/SUP-311/properties/middleware.hash', (body: unknown) => {
        raw = JSON.stringify(body);
        return true;
      })
      .reply(200);
    await makeClient().setIssueProperty('SUP-311', 'middleware.hash', '123');
    expect(raw).toBe('"123"');
  });
});

describe('JiraClient search', () => {
  const jql = 'project = SUP AND updated >= "2025-01-08 14:00" ORDER BY updated ASC';

  it('follows nextPageToken over three pages and stops on isLast', async () => {
    const rec = bodyRecorder();
    const scope = nock(BASE, { reqheaders: { authorization: BASIC } })
      .post('/rest/api/3/search/jql', rec.capture)
      .reply(200, fixture('search-jql-page-1.json'))
      .post('/rest/api/3/search/jql', rec.capture)
      .reply(200, fixture('search-jql-page-2.json'))
      .post('/rest/api/3/search/jql', rec.capture)
      .reply(200, fixture('search-jql-page-3.json'));

    const issues = await collect(makeClient().search(jql));

    expect(issues.map((i) => i.key)).toEqual(['SUP-311', 'SUP-312', 'SUP-316', 'SUP-320']);
    expect(issues[3]).toMatchObject({
      priority: 'Highest',
      assigneeAccountId: '712020:0e1c4a5b-7d3e-4f8a-9b2c-1d2e3f4a5b6c',
    });
    const sent = rec.bodies as Array<Record<string, unknown>>;
    expect(sent.map((b) => b.nextPageToken)).toEqual([undefined, 'CAEaAggD', 'CAIaAggG']);
    expect(sent[0]).toMatchObject({ jql, maxResults: 100 });
    expect(sent[0]?.fields).toEqual(
      expect.arrayContaining(['summary', 'status', 'issuetype', 'priority', 'labels', 'assignee', 'created', 'updated']),
    );
    scope.done();
  });

  it('searchPage adds the canonical fields to the ones asked for and reports the next token', async () => {
    const rec = bodyRecorder();
    nock(BASE).post('/rest/api/3/search/jql', rec.capture).reply(200, fixture('search-jql-page-1.json'));

    const page = await makeClient().searchPage(jql, ['customfield_10050'], null, 50);

    expect(page.nextPageToken).toBe('CAEaAggD');
    expect(page.issues).toHaveLength(2);
    const body = rec.bodies[0] as { fields: string[]; maxResults: number };
    expect(body.maxResults).toBe(50);
    expect(body.fields).toContain('customfield_10050');
    expect(body.fields).toContain('summary');
    expect(body).not.toHaveProperty('nextPageToken');
  });

  it('stops on isLast even when Jira still sends a token', async () => {
    const last = { ...fixture('search-jql-page-3.json'), nextPageToken: 'CAMaAggJ', isLast: true };
    const scope = nock(BASE).post('/rest/api/3/search/jql').once().reply(200, last);
    const issues = await collect(makeClient().search(jql));
    expect(issues.map((i) => i.key)).toEqual(['SUP-320']);
    scope.done();
  });

  it('treats a page whose nextPageToken is null as the last one', async () => {
    const last = { ...fixture('search-jql-page-3.json'), nextPageToken: null };
    delete (last as Record<string, unknown>).isLast;
    const scope = nock(BASE).post('/rest/api/3/search/jql').once().reply(200, last);
    const issues = await collect(makeClient().search(jql));
    expect(issues.map((i) => i.key)).toEqual(['SUP-320']);
    scope.done();
  });
});

describe('JiraClient.myself', () => {
  afterEach(() => nock.cleanAll());

  it('reads the API user and the time zone its JQL dates are read in', async () => {
    nock(BASE, { reqheaders: { authorization: BASIC } })
      .get('/rest/api/3/myself')
      .reply(200, {
        self: `${BASE}/rest/api/3/user?accountId=712020:5f0c1e2a-9b7d-4a61-8e3f-0c2d4b6a8e10`,
        accountId: '712020:5f0c1e2a-9b7d-4a61-8e3f-0c2d4b6a8e10',
        emailAddress: EMAIL,
        displayName: 'helpdesk-sync',
        active: true,
        timeZone: 'Europe/Berlin',
        locale: 'en_GB',
        accountType: 'atlassian',
      });
    expect(await makeClient().myself()).toEqual({ accountId: '712020:5f0c1e2a-9b7d-4a61-8e3f-0c2d4b6a8e10', timeZone: 'Europe/Berlin' });
  });
});
