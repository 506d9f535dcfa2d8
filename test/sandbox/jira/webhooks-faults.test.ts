import { JIRA_USERS } from '../../../src/sandbox/seed-people';
import type { JiraSandbox } from '../../../src/sandbox/jira';
import { VendorApiError } from '../../../src/vendors/core/errors';
import type { JiraClient } from '../../../src/vendors/jira/client';
import { parseJira, verifyJira } from '../../../src/vendors/jira/webhook';
import { adf, clientFor, startSandbox, WebhookReceiver, type Received } from './helpers';

const SECRET = 'jira-webhook-secret';

let sandbox: JiraSandbox;
let url: string;
let client: JiraClient;
let receiver: WebhookReceiver;

beforeEach(async () => {
  ({ sandbox, url } = await startSandbox());
  client = clientFor(url);
  receiver = new WebhookReceiver();
  sandbox.setWebhook({ url: await receiver.start(), secret: SECRET });
});
afterEach(async () => {
  await sandbox.webhooks.idle();
  await sandbox.close();
  await receiver.stop();
});

const create = (summary = 'Invoices export fails') =>
  client.createIssue({ fields: { project: { key: 'SUP' }, issuetype: { name: 'Bug' }, summary, description: adf('Export fails for PDF') } });

function verified(r: Received) {
  expect(verifyJira(r.headers, r.raw, SECRET)).toEqual({ ok: true });
  return parseJira(r.body, r.headers);
}

async function transitionTo(key: string, status: string): Promise<void> {
  const t = (await client.listTransitions(key)).find((x) => x.to.name === status);
  await client.doTransition(key, t?.id ?? 'none');
}

describe('Jira sandbox: signed admin webhooks', () => {
  it('sends jira:issue_created that verifyJira accepts and parseJira reads, v2-shaped', async () => {
    const { id, key } = await create();
    await sandbox.webhooks.idle();
    expect(receiver.events()).toEqual(['jira:issue_created']);
    const r = receiver.received[0] as Received;
    expect(verified(r)).toEqual({ kind: 'event', event: { entityKey: `issue:${id}`, eventType: 'jira:issue_created', deliveryId: r.headers['x-atlassian-webhook-identifier'] } });
    expect(r.headers['x-atlassian-webhook-identifier']).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers['x-atlassian-webhook-retry']).toBe('0');
    expect(r.headers['x-atlassian-webhook-flow']).toBe('Primary');
    expect(verifyJira(r.headers, r.raw, 'another-secret').ok).toBe(false);

    const issue = r.body.issue as { key: string; self: string; fields: Record<string, unknown> };
    expect(r.body).toMatchObject({ issue_event_type_name: 'issue_created', user: { accountId: JIRA_USERS.integration.accountId, displayName: 'helpdesk-sync' } });
    expect(typeof r.body.timestamp).toBe('number');
    expect(issue.key).toBe(key);
    expect(issue.self).toBe(`${url}/rest/api/2/issue/${id}`);
    expect(issue.fields.description).toBe('Export fails for PDF');
    expect(issue.fields).toMatchObject({ summary: 'Invoices export fails', status: { name: 'Open' }, priority: { name: 'Medium' }, issuetype: { name: 'Bug' }, project: { key: 'SUP' } });
  });

  it('sends the changelog of a transition as issue_generic, attributed to the caller', async () => {
    const { key } = await create();
    const tech1 = clientFor(url, 'tech1');
    const investigate = (await tech1.listTransitions(key)).find((t) => t.to.name === 'Work in progress');
    await tech1.doTransition(key, investigate?.id ?? '');
    await transitionTo(key, 'Completed');
    await sandbox.webhooks.idle();

    expect(receiver.events()).toEqual(['jira:issue_created', 'jira:issue_updated', 'jira:issue_updated']);
    const started = receiver.received[1] as Received;
    expect(verified(started).kind).toBe('event');
    expect(started.body).toMatchObject({ issue_event_type_name: 'issue_generic', user: { accountId: JIRA_USERS.tech1.accountId } });
    expect((started.body.changelog as { items: unknown[] }).items).toEqual([
      { field: 'status', fieldtype: 'jira', fieldId: 'status', from: '1', fromString: 'Open', to: '3', toString: 'Work in progress' },
    ]);
    const resolved = receiver.received[2] as Received;
    expect((resolved.body.changelog as { items: unknown[] }).items).toEqual([
      { field: 'resolution', fieldtype: 'jira', fieldId: 'resolution', from: null, fromString: null, to: '10000', toString: 'Done' },
      { field: 'status', fieldtype: 'jira', fieldId: 'status', from: '3', fromString: 'Work in progress', to: '10004', toString: 'Completed' },
    ]);
    expect(resolved.body.issue).toMatchObject({ fields: { status: { name: 'Completed', statusCategory: { key: 'done' } }, resolution: { name: 'Done' } } });
  });

  it('sends comment_created with a wiki-text body, label changes, and issue_property_set', async () => {
    const { id, key } = await create();
    await client.addComment(key, { version: 1, type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Customer', marks: [{ type: 'strong' }] }, { type: 'text', text: ' replied' }] }] });
    const put = await fetch(`${url}/rest/api/3/issue/${key}`, {
      method: 'PUT',
      headers: { Authorization: `Basic ${Buffer.from(`priya.singh@acme.io:${JIRA_USERS.priya.apiToken}`).toString('base64')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ update: { labels: [{ add: 'escalated' }] } }),
    });
    expect(put.status).toBe(204);
    await client.setIssueProperty(key, 'helpdesk-sync', { hash: 'h1' });
    await sandbox.webhooks.idle();

    expect(receiver.events()).toEqual(['jira:issue_created', 'comment_created', 'jira:issue_updated', 'jira:issue_updated', 'issue_property_set']);
    const comment = receiver.received[1] as Received;
    expect(verified(comment)).toMatchObject({ kind: 'event', event: { entityKey: `issue:${id}`, eventType: 'comment_created' } });
    expect(comment.body.comment).toMatchObject({ body: '*Customer* replied', author: { accountId: JIRA_USERS.integration.accountId } });
    expect((receiver.received[2] as Received).body.issue_event_type_name).toBe('issue_commented');
    const labels = receiver.received[3] as Received;
    expect(labels.body).toMatchObject({
      issue_event_type_name: 'issue_updated',
      user: { accountId: JIRA_USERS.priya.accountId },
      changelog: { items: [{ field: 'labels', fieldtype: 'jira', fieldId: 'labels', from: null, fromString: '', to: null, toString: 'escalated' }] },
    });
    const property = receiver.received[4] as Received;
    expect(verified(property).kind).toBe('event');
    expect(property.body.property).toEqual({ key: 'helpdesk-sync', value: { hash: 'h1' } });
  });

  it('retries a failed delivery with the same identifier and a growing retry count', async () => {
    receiver.statuses.push(500, 503);
    await create();
    await sandbox.webhooks.idle();
    expect(receiver.received).toHaveLength(3);
    const ids = new Set(receiver.received.map((r) => r.headers['x-atlassian-webhook-identifier']));
    expect(ids.size).toBe(1);
    expect(receiver.received.map((r) => r.headers['x-atlassian-webhook-retry'])).toEqual(['0', '1', '2']);
    expect(sandbox.webhooks.stats()).toMatchObject({ sent: 1, delivered: 1 });
  });
});

describe('Jira sandbox: faults and call counts', () => {
  const faults = (body: unknown) => fetch(`${url}/_sandbox/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('answers 429 with Retry-After and Jira rate-limit headers; the client waits and succeeds', async () => {
    await faults({ rateLimitNext: 1, retryAfterSeconds: 1 });
    const raw = await fetch(`${url}/rest/api/3/issue/SUP-20`, { headers: { Authorization: `Basic ${Buffer.from(`priya.singh@acme.io:${JIRA_USERS.priya.apiToken}`).toString('base64')}` } });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(raw.headers.get('ratelimit-reason')).toBe('jira-burst-based');
    expect(raw.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(await raw.json()).toEqual({ errorMessages: ['Rate limit exceeded.'], errors: {} });

    await faults({ rateLimitNext: 2, retryAfterSeconds: 0 });
    const { key } = await create();
    expect(key).toBe('SUP-21');
    expect(sandbox.state.issues.size).toBe(3);
    const calls = (await (await fetch(`${url}/_sandbox/calls`)).json()) as { byEndpoint: Record<string, number>; faults: { rateLimited: number } };
    expect(calls.byEndpoint['POST /rest/api/3/issue']).toBe(3);
    expect(calls.faults.rateLimited).toBe(3);
  });

  it('retries a read through 5xx, but fails a create as retryable without creating anything', async () => {
    await faults({ serverErrorNext: 2 });
    expect((await client.getIssue('SUP-20')).key).toBe('SUP-20');
    expect(sandbox.http.calls.count('GET', '/rest/api/3/issue/:idOrKey')).toBe(3);

    await faults({ serverErrorNext: 1 });
    let err: unknown;
    try {
      await create();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VendorApiError);
    expect((err as VendorApiError).status).toBe(503);
    expect((err as VendorApiError).retryable).toBe(true);
    expect(sandbox.state.issues.size).toBe(2);
  });

  it('drops the next webhooks when told, and sends the ones after', async () => {
    await faults({ dropWebhooksNext: 1 });
    const first = await create('dropped');
    const second = await create('delivered');
    await sandbox.webhooks.idle();
    expect(receiver.received.map((r) => (r.body.issue as { key: string }).key)).toEqual([second.key]);
    expect(sandbox.issue(first.key)?.summary).toBe('dropped');
    expect(sandbox.webhooks.stats()).toMatchObject({ dropped: 1, delivered: 1 });
  });
});
