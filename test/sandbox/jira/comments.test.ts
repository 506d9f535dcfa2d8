import type { JiraSandbox } from '../../../src/sandbox/jira';
import { JIRA_USERS } from '../../../src/sandbox/seed-people';
import { jiraEventFacts } from '../../../src/vendors/jira/event-facts';
import { adf, basic, clientFor, startSandbox, WebhookReceiver } from './helpers';

const INTERNAL = [{ key: 'sd.public.comment', value: { internal: true } }];

let sandbox: JiraSandbox;
let url: string;

beforeEach(async () => {
  ({ sandbox, url } = await startSandbox());
});
afterEach(() => sandbox.close());

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${url}${path}`, { headers: { Authorization: basic('priya') } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

type CommentPage = { startAt: number; maxResults: number; total: number; comments: Array<{ id: string; jsdPublic: boolean }> };

describe('Jira sandbox: comments as GET issue and the comment endpoint serve them', () => {
  it('embeds a capped page whose total counts them all, and the client reads the rest', async () => {
    const tech1 = clientFor(url, 'tech1');
    // SUP-20 has one seeded comment; 130 more make a thread longer than the embed.
    for (let n = 1; n <= 130; n += 1) await tech1.addComment('SUP-20', adf(`update ${n}`));
    sandbox.http.calls.reset();

    const raw = await get<{ fields: { comment: CommentPage } }>('/rest/api/3/issue/SUP-20?fields=comment');
    expect(raw.fields.comment).toMatchObject({ total: 131, maxResults: 100, startAt: 31 });
    expect(raw.fields.comment.comments).toHaveLength(100);

    const issue = await clientFor(url).getIssue('SUP-20');

    expect(issue.comments).toHaveLength(131);
    expect(issue.comments.map((c) => c.id)).toEqual(sandbox.comments('SUP-20').map((c) => c.id));
    expect(issue.comments[1]).toMatchObject({ bodyText: 'update 1', authorAccountId: JIRA_USERS.tech1.accountId, authorName: 'Tomas Ek', public: true });
    expect(issue.comments[130]?.bodyText).toBe('update 130');
    expect(sandbox.http.calls.byEndpoint()).toMatchObject({ 'GET /rest/api/3/issue/:idOrKey': 2, 'GET /rest/api/3/issue/:idOrKey/comment': 2 });
  });

  it('reads a short thread from the embed alone', async () => {
    await clientFor(url, 'tech1').addComment('SUP-20', adf('Restarted the collector'));
    sandbox.http.calls.reset();

    const issue = await clientFor(url).getIssue('SUP-20');

    expect(issue.comments.map((c) => c.bodyText)).toEqual([expect.any(String), 'Restarted the collector']);
    expect(sandbox.http.calls.byEndpoint()).toEqual({ 'GET /rest/api/3/issue/:idOrKey': 1 });
  });

  it('marks a service-desk internal note jsdPublic false, and the client maps it as not public', async () => {
    const { id } = await clientFor(url).addComment('SUP-20', adf('Internal: customer is on the Enterprise plan'), INTERNAL);

    const page = await get<CommentPage>('/rest/api/3/issue/SUP-20/comment');
    expect(page.comments.find((c) => c.id === id)?.jsdPublic).toBe(false);
    expect(page.comments.filter((c) => c.id !== id).every((c) => c.jsdPublic)).toBe(true);
    expect((await clientFor(url).getIssue('SUP-20')).comments.find((c) => c.id === id)?.public).toBe(false);
  });

  it('pages the comment endpoint by startAt and maxResults (100 by default), in either order', async () => {
    const tech1 = clientFor(url, 'tech1');
    for (let n = 1; n <= 4; n += 1) await tech1.addComment('SUP-20', adf(`update ${n}`));
    const ids = sandbox.comments('SUP-20').map((c) => c.id);

    expect(await get<CommentPage>('/rest/api/3/issue/SUP-20/comment')).toMatchObject({ startAt: 0, maxResults: 100, total: 5 });
    const second = await get<CommentPage>('/rest/api/3/issue/SUP-20/comment?startAt=2&maxResults=2&orderBy=created');
    expect(second.comments.map((c) => c.id)).toEqual(ids.slice(2, 4));
    const newest = await get<CommentPage>('/rest/api/3/issue/SUP-20/comment?maxResults=2&orderBy=-created');
    expect(newest.comments.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    const plus = await get<CommentPage>('/rest/api/3/issue/SUP-20/comment?maxResults=2&orderBy=%2Bcreated');
    expect(plus.comments.map((c) => c.id)).toEqual(ids.slice(0, 2));
  });
});

describe('Jira sandbox webhooks read as event facts', () => {
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = new WebhookReceiver();
    sandbox.setWebhook({ url: await receiver.start(), secret: 'jira-webhook-secret' });
  });
  afterEach(() => receiver.stop());

  it('names the comment, its author and its visibility in comment_created and issue_commented', async () => {
    const { id } = await clientFor(url, 'tech1').addComment('SUP-20', adf('Internal: collector restarted'), INTERNAL);
    await sandbox.webhooks.idle();

    expect(receiver.events()).toEqual(['comment_created', 'jira:issue_updated']);
    const tech1 = JIRA_USERS.tech1.accountId;
    for (const r of receiver.received) {
      expect(jiraEventFacts(r.body)).toMatchObject({ actorId: tech1, created: false, comment: { id, authorId: tech1, public: false } });
    }
  });

  it('names the status change of a transition and the creation of an issue', async () => {
    const client = clientFor(url);
    const { key } = await client.createIssue({ fields: { project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: 'system is down' } });
    const transition = (await client.listTransitions(key)).find((t) => t.to.name === 'Pending');
    if (!transition) throw new Error('no transition to Pending');
    await client.doTransition(key, transition.id);
    await sandbox.webhooks.idle();

    const [created, moved] = receiver.received.map((r) => jiraEventFacts(r.body));
    expect(created).toMatchObject({ created: true, actorId: JIRA_USERS.integration.accountId });
    expect(moved).toMatchObject({ created: false, issueStatus: { from: 'Open', to: 'Pending' } });
    expect(moved?.updatedAt).toBe(new Date(sandbox.issue(key)?.updated ?? 0).toISOString());
  });
});
