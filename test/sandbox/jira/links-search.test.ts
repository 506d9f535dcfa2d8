import type { JiraSandbox } from '../../../src/sandbox/jira';
import { VendorApiError } from '../../../src/vendors/core/errors';
import { collect } from '../../../src/vendors/core/http-client';
import type { JiraClient } from '../../../src/vendors/jira/client';
import type { JiraRemoteLink } from '../../../src/vendors/types';
import { basic, clientFor, startSandbox } from './helpers';

let sandbox: JiraSandbox;
let url: string;
let client: JiraClient;
let clock: Date;

beforeEach(async () => {
  clock = new Date('2025-03-01T10:00:00.000Z');
  ({ sandbox, url } = await startSandbox({ now: () => clock }));
  client = clientFor(url);
});
afterEach(() => sandbox.close());

const link = (title: string, resolved: boolean): JiraRemoteLink => ({
  globalId: 'zendesk:acme:ticket:5158',
  application: { type: 'com.zendesk', name: 'Zendesk' },
  relationship: 'customer ticket',
  object: { url: 'https://acme.zendesk.com/agent/tickets/5158', title, status: { resolved } },
});

async function rejection(promise: Promise<unknown>): Promise<VendorApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof VendorApiError) return err;
    throw err;
  }
  throw new Error('expected a VendorApiError');
}

describe('Jira sandbox: remote links and properties', () => {
  it('upserts a remote link by globalId: the second POST updates the first', async () => {
    const first = await client.addRemoteLink('SUP-20', link('ZD #5158 Cannot export invoices', false));
    const second = await client.addRemoteLink('SUP-20', link('ZD #5158 Cannot export invoices (solved)', true));
    expect(second.id).toBe(first.id);
    expect(sandbox.remoteLinks('SUP-20')).toHaveLength(1);
    expect(sandbox.remoteLinks('SUP-20')[0]?.object).toMatchObject({ title: 'ZD #5158 Cannot export invoices (solved)', status: { resolved: true } });

    await client.addRemoteLink('SUP-20', { ...link('Other', false), globalId: 'zendesk:acme:ticket:6000' });
    const listed = (await (await fetch(`${url}/rest/api/3/issue/SUP-20/remotelink?globalId=zendesk:acme:ticket:5158`, { headers: { Authorization: basic('priya') } })).json()) as Array<{ id: number; globalId: string }>;
    expect(listed).toEqual([expect.objectContaining({ id: Number(first.id), globalId: 'zendesk:acme:ticket:5158' })]);
    expect(sandbox.remoteLinks('SUP-20')).toHaveLength(2);
  });

  it('requires object.url and object.title', async () => {
    const err = await rejection(client.addRemoteLink('SUP-20', { globalId: 'g', object: { url: '', title: '' } }));
    expect(err.status).toBe(400);
    expect(Object.keys(err.fields).sort()).toEqual(['title', 'url']);
  });

  it('gets null for an absent property, then sets and reads objects and bare strings', async () => {
    expect(await client.getIssueProperty('SUP-20', 'helpdesk-sync')).toBeNull();
    await client.setIssueProperty('SUP-20', 'helpdesk-sync', { ticketId: 5158, hash: 'abc' });
    expect(await client.getIssueProperty('SUP-20', 'helpdesk-sync')).toEqual({ ticketId: 5158, hash: 'abc' });
    await client.setIssueProperty('SUP-20', 'marker', 'zd-5158');
    expect(await client.getIssueProperty('SUP-20', 'marker')).toBe('zd-5158');
    expect(sandbox.property('SUP-20', 'marker')).toBe('zd-5158');
    const missing = await fetch(`${url}/rest/api/3/issue/SUP-20/properties/nope`, { headers: { Authorization: basic('priya') } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ errorMessages: ["The property with key 'nope' does not exist."], errors: {} });
  });
});

describe('Jira sandbox: JQL search', () => {
  async function createFive(): Promise<string[]> {
    const keys: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      clock = new Date(Date.UTC(2025, 2, 1, 10, i * 10));
      const { key } = await client.createIssue({ fields: { project: { key: 'SUP' }, issuetype: { name: 'Task' }, summary: `paged ${i}`, labels: ['paging'] } });
      keys.push(key);
    }
    return keys;
  }

  it('pages by nextPageToken over 3 pages, absent on the last', async () => {
    const keys = await createFive();
    const seen: string[][] = [];
    let token: string | null = null;
    do {
      const page = await client.searchPage('project = SUP AND labels = paging ORDER BY created ASC', ['summary'], token, 2);
      seen.push(page.issues.map((i) => i.key));
      token = page.nextPageToken;
    } while (token);
    expect(seen).toEqual([keys.slice(0, 2), keys.slice(2, 4), keys.slice(4)]);
    const calls = (await (await fetch(`${url}/_sandbox/calls`)).json()) as { byEndpoint: Record<string, number> };
    expect(calls.byEndpoint['POST /rest/api/3/search/jql']).toBe(3);

    const all = await collect(client.search('project = SUP ORDER BY updated DESC'));
    expect(all.map((i) => i.key)).toEqual([...[...keys].reverse(), 'SUP-20', 'SUP-19']);
  });

  it('filters on updated, status, key lists and issue in (...)', async () => {
    const keys = await createFive();
    const since = await collect(client.search('project = SUP AND updated >= "2025-03-01 10:30" ORDER BY updated ASC'));
    expect(since.map((i) => i.key)).toEqual(keys.slice(3));
    const inList = await collect(client.search(`issue in (${keys[0]}, SUP-20) ORDER BY key ASC`));
    expect(inList.map((i) => i.key)).toEqual(['SUP-20', keys[0]]);
    const byStatus = await collect(client.search('project = SUP AND status = "Work in progress"'));
    expect(byStatus.map((i) => i.key)).toEqual(['SUP-20']);
    const byKey = await collect(client.search('key = SUP-19'));
    expect(byKey.map((i) => i.status.name)).toEqual(['Completed']);
  });

  it('refuses JQL it does not support, naming the problem', async () => {
    const cases: Array<[string, RegExp]> = [
      ['project = SUP OR labels = x', /OR/],
      ['assignee = currentUser()', /does not support the field 'assignee'/],
      ['project = NOPE', /The value 'NOPE' does not exist for the field 'project'/],
      ['status = "Doing"', /'Doing' does not exist for the field 'status'/],
      ['ORDER BY created', /Unbounded/],
      ['project = SUP ORDER BY priority', /ORDER BY 'priority'/],
      ['updated >= "yesterday"', /Date value 'yesterday'/],
      ['project = SUP AND', /clause after 'AND'/],
    ];
    for (const [jql, message] of cases) {
      const err = await rejection(client.searchPage(jql, []));
      expect(err.status).toBe(400);
      expect(err.vendorMessage).toMatch(message);
    }
  });

  it('answers only ids when no fields are asked for, as search/jql does', async () => {
    const res = await fetch(`${url}/rest/api/3/search/jql`, {
      method: 'POST',
      headers: { Authorization: basic('priya'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ jql: 'project = SUP ORDER BY key ASC' }),
    });
    expect(await res.json()).toEqual({ issues: [{ id: '10019' }, { id: '10020' }], isLast: true });
  });
});
