import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { browseUrl, jiraTimeToIso, toJiraIssue, toJiraTransition } from '../../../src/vendors/jira/mapper';
import { issueSchema, searchResponseSchema, transitionsResponseSchema } from '../../../src/vendors/jira/schemas';

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
    });
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
