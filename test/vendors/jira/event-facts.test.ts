import { readdirSync } from 'node:fs';
import path from 'node:path';
import { jiraEventFacts } from '../../../src/vendors/jira/event-facts';
import { fixture, FIXTURES } from '../../helpers/fixtures';

/** Bodies real Jira Cloud and Server instances delivered (test/fixtures/README.md). */
const CAPTURED = 'captured/jira-webhooks';
const captured = (file: string): unknown => fixture(`${CAPTURED}/${file}`);
const files = readdirSync(path.join(FIXTURES, CAPTURED)).filter((f) => f.endsWith('.json')).sort();

const CLOUD_ADMIN = '5c5f880629be9642ba529340';

describe('jiraEventFacts on our own fixtures', () => {
  it('reads a transition: actor, issue updated time and the status by name', () => {
    expect(jiraEventFacts(fixture('webhooks/jira-issue-updated.json'))).toEqual({
      actorId: '5b10a2844c20165700ede21g',
      updatedAt: '2025-01-08T14:25:30.000Z',
      created: false,
      issueStatus: { from: 'To Do', to: 'In Progress' },
    });
  });

  it('reads a service-desk internal comment: the author acts, jsdPublic false, the delivery time', () => {
    expect(jiraEventFacts(fixture('webhooks/jira-comment-created.json'))).toEqual({
      actorId: '5b10a2844c20165700ede21g',
      updatedAt: '2025-01-09T10:11:02.345Z',
      created: false,
      comment: { id: '10086', authorId: '5b10a2844c20165700ede21g', public: false },
    });
  });

  it.each([null, 'comment_created', [], {}, { webhookEvent: '' }, { webhookEvent: 42 }])('does not understand %p', (body) => {
    expect(jiraEventFacts(body)).toBeNull();
  });

  it('keeps what it can read when a part is malformed', () => {
    const body = { webhookEvent: 'jira:issue_updated', timestamp: 'yesterday', user: 'admin', changelog: { items: 'status' } };
    expect(jiraEventFacts(body)).toEqual({ actorId: null, updatedAt: null, created: false });
  });
});

describe('jiraEventFacts on real bodies (test/fixtures/captured/jira-webhooks)', () => {
  it('finds the captured bodies in the repository', () => {
    expect(files.length).toBeGreaterThanOrEqual(55);
  });

  it.each(files)('%s: understood exactly when it names its event', (file) => {
    const body = captured(file) as { webhookEvent?: string };
    const facts = jiraEventFacts(body);
    if (body.webhookEvent === undefined) {
      expect(facts).toBeNull();
      return;
    }
    expect(facts).not.toBeNull();
    expect(facts?.created).toBe(body.webhookEvent === 'jira:issue_created');
    expect(facts?.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it.each<[string, Record<string, unknown>]>([
    [
      'webhook-cloud-comment-created.json',
      { actorId: CLOUD_ADMIN, updatedAt: new Date(1550286678321).toISOString(), comment: { id: '10019', authorId: CLOUD_ADMIN, public: true } },
    ],
    ['webhook-cloud-comment-updated.json', { actorId: CLOUD_ADMIN, comment: { id: '10019', authorId: CLOUD_ADMIN, public: true } }],
    ['webhook-cloud-comment-deleted.json', { actorId: null }],
    ['webhook-issue-created.json', { created: true, actorId: CLOUD_ADMIN, updatedAt: '2019-02-16T03:01:52.971Z' }],
    [
      'webhook-issue-updated-resolved.json',
      { actorId: CLOUD_ADMIN, updatedAt: '2019-02-16T03:15:40.477Z', issueStatus: { from: 'In Progress', to: 'Done' } },
    ],
    ['webhook-issue-updated-reopened.json', { issueStatus: { from: 'Done', to: 'To Do' } }],
    ['webhook-issue-updated-resolved-one-changelog.json', { actorId: CLOUD_ADMIN }],
    ['webhook-issue-updated-assigned.json', { actorId: CLOUD_ADMIN }],
    ['webhook-issue-assigned-empty-changelog.json', { actorId: '123456', updatedAt: new Date(1724179662935).toISOString() }],
    ['webhook-server-issue-updated-closed.json', { actorId: null, updatedAt: '2019-08-14T03:07:58.354Z', issueStatus: { from: 'Resolved', to: 'Closed' } }],
    ['webhook-server-issue-updated-commented-1.json', { actorId: null, comment: { id: '10082', authorId: null, public: null } }],
    ['webhook-server-issue-updated-comment-edited.json', { comment: { id: '10084', authorId: null, public: null } }],
    ['webhook-server-issue-updated-comment-deleted.json', { actorId: null }],
    ['webhook-server-comment-created.json', { actorId: null, comment: { id: '10082', authorId: null, public: null } }],
  ])('%s says %p', (file, expected) => {
    expect(jiraEventFacts(captured(file))).toMatchObject(expected);
  });

  it.each<[string, string[]]>([
    ['webhook-cloud-comment-deleted.json', ['comment']],
    ['webhook-server-issue-updated-comment-deleted.json', ['comment']],
    ['webhook-issue-updated-resolved-one-changelog.json', ['issueStatus', 'comment']],
    ['webhook-issue-updated-assigned.json', ['issueStatus', 'comment']],
  ])('%s says nothing of %p', (file, absent) => {
    const facts = jiraEventFacts(captured(file));
    for (const key of absent) expect(facts).not.toHaveProperty(key);
  });
});
