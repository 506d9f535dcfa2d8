import { JIRA_USERS } from '../../../src/sandbox/seed-people';
import type { JiraSandbox } from '../../../src/sandbox/jira';
import { VendorApiError } from '../../../src/vendors/core/errors';
import { adf, basic, clientFor, startSandbox } from './helpers';

let sandbox: JiraSandbox;
let url: string;

beforeEach(async () => {
  ({ sandbox, url } = await startSandbox());
});
afterEach(() => sandbox.close());

async function caught(promise: Promise<unknown>): Promise<VendorApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof VendorApiError) return err;
    throw err;
  }
  throw new Error('expected a VendorApiError');
}

const baseFields = { project: { key: 'SUP' }, issuetype: { name: 'Bug' } };

describe('Jira sandbox: issues through JiraClient', () => {
  it('creates an issue with ADF and properties and reads it back mapped', async () => {
    const client = clientFor(url);
    const description = {
      version: 1 as const,
      type: 'doc' as const,
      content: [
        { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: 'Customer report' }] },
        { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Export fails', marks: [{ type: 'strong' }] }] }] }] },
      ],
    };
    const created = await client.createIssue({
      fields: {
        ...baseFields,
        summary: 'Invoices export fails (ZD#5158)',
        description,
        priority: { name: 'High' },
        labels: ['zendesk', 'customer-reported'],
        assignee: { accountId: JIRA_USERS.tech1.accountId },
        customfield_10050: 'ZD-5158',
      },
      properties: [{ key: 'helpdesk-sync', value: { source: 'zendesk', ticketId: 5158 } }],
    });
    expect(created).toEqual({ id: '10021', key: 'SUP-21', self: `${url}/rest/api/3/issue/10021` });

    const issue = await client.getIssue('SUP-21');
    expect(issue).toMatchObject({
      id: '10021',
      key: 'SUP-21',
      url: `${url}/browse/SUP-21`,
      summary: 'Invoices export fails (ZD#5158)',
      status: { id: '1', name: 'Open', categoryKey: 'new' },
      issueType: 'Bug',
      priority: 'High',
      labels: ['customer-reported', 'zendesk'],
      assigneeAccountId: JIRA_USERS.tech1.accountId,
      resolution: null,
    });
    expect(issue.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

    const stored = sandbox.issue('SUP-21');
    expect(stored?.description).toEqual(description);
    expect(stored?.reporterId).toBe(JIRA_USERS.integration.accountId);
    expect(stored?.customFields.customfield_10050).toBe('ZD-5158');
    expect(await client.getIssueProperty('SUP-21', 'helpdesk-sync')).toEqual({ source: 'zendesk', ticketId: 5158 });
  });

  it('answers GET issue in Jira form: timestamps without a colon, ADF description, project', async () => {
    const res = await fetch(`${url}/rest/api/3/issue/SUP-20?fields=summary,status,description,project,updated`, { headers: { Authorization: basic('priya') } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { key: string; fields: Record<string, unknown> };
    expect(body.key).toBe('SUP-20');
    expect(Object.keys(body.fields).sort()).toEqual(['description', 'project', 'status', 'summary', 'updated']);
    expect(body.fields.updated).toBe('2025-01-08T14:25:30.000+0000');
    expect(body.fields.status).toMatchObject({ id: '3', name: 'Work in progress', statusCategory: { key: 'indeterminate' } });
    expect(body.fields.description).toMatchObject({ version: 1, type: 'doc' });
    expect(body.fields.project).toMatchObject({ id: '10000', key: 'SUP' });
  });

  it('names the summary field when it is missing, too long or multi-line', async () => {
    const client = clientFor(url);
    const missing = await caught(client.createIssue({ fields: { ...baseFields } }));
    expect(missing.status).toBe(400);
    expect(missing.fields).toEqual({ summary: 'You must specify a summary of the issue.' });
    const long = await caught(client.createIssue({ fields: { ...baseFields, summary: 'x'.repeat(256) } }));
    expect(Object.keys(long.fields)).toEqual(['summary']);
    const newline = await caught(client.createIssue({ fields: { ...baseFields, summary: 'two\nlines' } }));
    expect(newline.fields.summary).toMatch(/newline/);
    expect(sandbox.state.issues.size).toBe(2);
  });

  it('refuses a label with a space with Jira message, and several bad fields at once', async () => {
    const client = clientFor(url);
    const err = await caught(client.createIssue({ fields: { ...baseFields, summary: 'ok', labels: ['x y'] } }));
    expect(err.status).toBe(400);
    expect(err.fields).toEqual({ labels: "The label 'x y' contains spaces which is invalid." });
    const many = await caught(client.createIssue({ fields: { project: { key: 'NOPE' }, issuetype: { name: 'Epic' }, summary: 'ok', priority: { name: 'Urgent' }, duedate: '2025-02-01' } }));
    expect(Object.keys(many.fields).sort()).toEqual(['duedate', 'issuetype', 'priority', 'project']);
  });

  it('answers malformed ADF with a bare INVALID_INPUT and a string description by field', async () => {
    const client = clientFor(url);
    const emptyText = { version: 1, type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }] };
    const bare = await caught(client.createIssue({ fields: { ...baseFields, summary: 'ok', description: emptyText } }));
    expect(bare.status).toBe(400);
    expect(bare.vendorMessage).toBe('INVALID_INPUT');
    expect(bare.fields).toEqual({});
    const textInList = { version: 1, type: 'doc', content: [{ type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'text', text: 'bare' }] }] }] };
    expect((await caught(client.createIssue({ fields: { ...baseFields, summary: 'ok', description: textInList } }))).vendorMessage).toBe('INVALID_INPUT');
    const noVersion = { type: 'doc', content: [] };
    expect((await caught(client.createIssue({ fields: { ...baseFields, summary: 'ok', description: noVersion } }))).vendorMessage).toBe('INVALID_INPUT');
    const asString = await caught(client.createIssue({ fields: { ...baseFields, summary: 'ok', description: 'plain text' } }));
    expect(Object.keys(asString.fields)).toEqual(['description']);
  });

  it('adds a comment whose author is the caller, and refuses a string body', async () => {
    const integration = clientFor(url);
    const { id } = await integration.addComment('SUP-20', adf('Synced from Zendesk #5158'));
    const comments = sandbox.comments('SUP-20');
    expect(comments.map((c) => c.id)).toEqual(['10300', id]);
    expect(comments[1]?.authorId).toBe(JIRA_USERS.integration.accountId);

    await clientFor(url, 'tech1').addComment('SUP-20', adf('Problem is solved'));
    expect(sandbox.comments('SUP-20')[2]?.authorId).toBe(JIRA_USERS.tech1.accountId);

    const res = await fetch(`${url}/rest/api/3/issue/SUP-20/comment`, {
      method: 'POST',
      headers: { Authorization: basic('priya'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ body: 'plain string' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errorMessages: [], errors: { comment: 'Comment body is not valid!' } });

    const list = (await (await fetch(`${url}/rest/api/3/issue/SUP-20/comment`, { headers: { Authorization: basic('priya') } })).json()) as { total: number; comments: Array<{ author: { displayName: string } }> };
    expect(list.total).toBe(3);
    expect(list.comments.map((c) => c.author.displayName)).toEqual(['Priya Singh', 'helpdesk-sync', 'Tomas Ek']);
  });

  it('edits fields and labels with PUT, 204, and 404s an unknown issue in Jira shape', async () => {
    const put = await fetch(`${url}/rest/api/3/issue/SUP-20`, {
      method: 'PUT',
      headers: { Authorization: basic('priya'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ fields: { priority: { name: 'High' } }, update: { labels: [{ add: 'escalated' }, { remove: 'incident' }] } }),
    });
    expect(put.status).toBe(204);
    expect(sandbox.issue('SUP-20')).toMatchObject({ priorityId: '2', labels: ['escalated'] });

    const err = await caught(clientFor(url).getIssue('SUP-999'));
    expect(err.status).toBe(404);
    expect(err.vendorMessage).toBe('Issue does not exist or you do not have permission to see it.');
  });

  it('answers 401 to unknown or wrong credentials', async () => {
    const wrong = await fetch(`${url}/rest/api/3/issue/SUP-20`, { headers: { Authorization: `Basic ${Buffer.from('priya.singh@acme.io:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ errorMessages: ['Client must be authenticated to access this resource.'], errors: {} });
    const none = await fetch(`${url}/rest/api/3/issue/SUP-20`);
    expect(none.status).toBe(401);
  });
});
