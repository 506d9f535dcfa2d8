import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { browseUrl, jiraTimeToIso, toJiraComment, toJiraIssue, toJiraTransition } from '../../../src/vendors/jira/mapper';
import { commentSchema, issueSchema, searchResponseSchema, transitionsResponseSchema } from '../../../src/vendors/jira/schemas';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/jira/api', name), 'utf8'));

describe('jira mapper', () => {
  it('maps GET issue to the canonical JiraIssue', () => {
    const raw = issueSchema.parse(fixture('issue-SUP-311.json'));
    expect(toJiraIssue(raw, 'jira-acme', 'https://acme.atlassian.net/')).toEqual({
      connectionId: 'jira-acme',
      id: '10002',
      key: 'SUP-311',
      url: 'https://acme.atlassian.net/browse/SUP-311',
      summary: 'Invoices export fails (ZD#5158)',
      status: { id: '3', name: 'In Progress', categoryKey: 'indeterminate' },
      issueType: 'Bug',
      priority: 'High',
      labels: ['zendesk', 'customer-reported'],
      assigneeAccountId: '5b10a2844c20165700ede21g',
      resolution: null,
      created: '2025-01-08T14:05:31.211Z',
      updated: '2025-01-09T08:12:44.017Z',
      // No `comment` field in the answer, no comments.
      comments: [],
    });
  });

  it('maps the embedded comments oldest first, ADF as text, internal notes as not public', () => {
    const raw = issueSchema.parse(fixture('issue-SUP-311-comments.json'));
    expect(toJiraIssue(raw, 'jira-acme', 'https://acme.atlassian.net').comments).toEqual([
      {
        id: '10085',
        authorAccountId: '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077',
        authorName: 'helpdesk-sync',
        bodyText: 'Customer replied: the export still fails for PDF.',
        public: true,
        created: '2025-01-08T14:06:02.110Z',
        updated: '2025-01-08T14:06:02.110Z',
      },
      {
        id: '10086',
        authorAccountId: '5b10a2844c20165700ede21g',
        authorName: 'Priya Singh',
        bodyText: '@helpdesk-sync internal: reproduced on staging.\n\n```\nE_TIMEOUT after 30000 ms\n```',
        public: false,
        created: '2025-01-09T08:10:12.004Z',
        updated: '2025-01-09T08:12:44.017Z',
      },
      {
        id: '10087',
        authorAccountId: '5d3b1a2c9f0e1b0c8a7d6e5f',
        authorName: 'Former user',
        bodyText: 'Fix deployed, see the release notes <https://acme.atlassian.net/wiki/spaces/REL/pages/42>',
        public: true,
        created: '2025-01-09T10:01:02.345Z',
        updated: '2025-01-09T10:01:02.345Z',
      },
    ]);
  });

  it('reads a comment without jsdPublic as public, an anonymous author as unknown, a wiki body as is', () => {
    const raw = commentSchema.parse({
      self: 'https://acme.atlassian.net/rest/api/2/issue/10002/comment/10090',
      id: '10090',
      author: { displayName: 'Anonymous' },
      body: 'Seen on *staging* too',
      created: '2025-01-10T08:00:00.000-0500',
    });
    expect(toJiraComment(raw)).toEqual({
      id: '10090',
      authorAccountId: null,
      authorName: 'Anonymous',
      bodyText: 'Seen on *staging* too',
      public: true,
      created: '2025-01-10T13:00:00.000Z',
      updated: '2025-01-10T13:00:00.000Z',
    });
  });

  it('sorts comments oldest first whatever order they came in', () => {
    const raw = issueSchema.parse(fixture('issue-SUP-311-comments.json'));
    const reversed = [...(raw.fields.comment?.comments ?? [])].reverse();
    expect(toJiraIssue(raw, 'jira-acme', 'https://acme.atlassian.net', reversed).comments.map((c) => c.id)).toEqual(['10085', '10086', '10087']);
  });

  it('turns the nulls Jira sends for cleared fields into nulls, not crashes', () => {
    const page = searchResponseSchema.parse(fixture('search-jql-page-2.json'));
    const raw = page.issues[0];
    if (!raw) throw new Error('fixture has no issue');
    const issue = toJiraIssue(raw, 'jira-acme', 'https://acme.atlassian.net');
    expect(issue).toMatchObject({
      key: 'SUP-316',
      status: { id: '10001', name: 'Done', categoryKey: 'done' },
      issueType: 'Task',
      priority: null,
      labels: [],
      assigneeAccountId: null,
      resolution: 'Done',
    });
  });

  it('rejects an issue without the fields the model needs', () => {
    const broken = fixture('issue-SUP-311.json') as { fields: Record<string, unknown> };
    delete broken.fields.status;
    expect(issueSchema.safeParse(broken).success).toBe(false);
  });

  it('maps transitions with the status category of their target', () => {
    const raw = transitionsResponseSchema.parse(fixture('transitions.json'));
    expect(raw.transitions.map(toJiraTransition)).toEqual([
      { id: '11', name: 'To Do', to: { id: '10000', name: 'To Do', categoryKey: 'new' } },
      { id: '21', name: 'Start progress', to: { id: '3', name: 'In Progress', categoryKey: 'indeterminate' } },
      { id: '31', name: 'Done', to: { id: '10001', name: 'Done', categoryKey: 'done' } },
    ]);
  });

  it('normalises Jira offsets without a colon and keeps unparseable text as is', () => {
    expect(jiraTimeToIso('2025-01-08T14:05:31.211-0530')).toBe('2025-01-08T19:35:31.211Z');
    expect(jiraTimeToIso('2025-01-08T14:05:31Z')).toBe('2025-01-08T14:05:31.000Z');
    expect(jiraTimeToIso('not a date')).toBe('not a date');
  });

  it('builds the browse link without doubled slashes', () => {
    expect(browseUrl('https://acme.atlassian.net///', 'SUP-1')).toBe('https://acme.atlassian.net/browse/SUP-1');
  });
});
