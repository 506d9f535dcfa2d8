import type { JiraIssue } from '../../src/domain/ticket';
import { parseGoal } from '../../src/sla/duration';
import { fixKey, planFixOverdue, readFixTarget } from '../../src/sla/fix-target';

const TARGETS = { Highest: parseGoal('2d')!, High: parseGoal('5d')!, Medium: parseGoal('15d')!, Low: parseGoal('30d')! };
const DONE = ['Done', 'Resolved'];

function bug(over: Partial<JiraIssue> = {}): JiraIssue {
  return {
    connectionId: 'default',
    id: '10042',
    key: 'SUP-42',
    url: 'https://acme.atlassian.net/browse/SUP-42',
    summary: 'Invoice export times out after 60 seconds',
    status: { id: '3', name: 'In Progress', categoryKey: 'indeterminate' },
    issueType: 'Bug',
    priority: 'Highest',
    labels: ['helpdesk-sync'],
    assigneeAccountId: null,
    resolution: null,
    created: '2026-11-30T08:00:00.000+0000',
    updated: '2026-12-01T09:30:00.000+0000',
    comments: [],
    ...over,
  };
}

const ticket = { vendor: 'freshdesk' as const, connectionId: 'default', id: '2301' };
const issue = { connectionId: 'default', id: '10042', key: 'SUP-42' };

describe('S3: bug-fix targets of linked Jira issues', () => {
  it('due at creation plus the target of its Jira priority (any case), round the clock', () => {
    expect(readFixTarget(bug(), null, TARGETS, DONE)).toMatchObject({ dueAt: '2026-12-02T08:00:00.000Z', goal: { text: '2d' }, doneAt: null, markedAt: null });
    expect(readFixTarget(bug({ priority: 'medium' }), null, TARGETS, DONE).dueAt).toBe('2026-12-15T08:00:00.000Z');
    expect(readFixTarget(bug({ priority: 'Blocker' }), null, TARGETS, DONE)).toMatchObject({ dueAt: null, goal: null });
  });

  it('done by category or by name; a reopened bug is not done any more', () => {
    const done = readFixTarget(bug({ status: { id: '10001', name: 'Shipped', categoryKey: 'done' } }), null, TARGETS, DONE);
    expect(done.doneAt).toBe('2026-12-01T09:30:00.000Z');
    expect(readFixTarget(bug({ status: { id: '5', name: 'resolved', categoryKey: null } }), null, TARGETS, DONE).doneAt).not.toBeNull();
    expect(readFixTarget(bug(), done, TARGETS, DONE).doneAt).toBeNull();
  });

  it('marks an overdue bug once: label, Jira comment, note on the ticket', () => {
    const fix = readFixTarget(bug(), null, TARGETS, DONE);
    const now = new Date('2026-12-02T20:00:00Z');
    const { fix: marked, plan } = planFixOverdue(fix, ticket, 'Freshdesk ticket #2301', issue, 'fix-overdue', now);
    expect(plan.actions.map((a) => [a.kind, a.key])).toEqual([
      ['jira.edit', fixKey(issue, 'label')],
      ['jira.comment', fixKey(issue, 'comment')],
      ['helpdesk.note', fixKey(issue, 'note')],
    ]);
    expect(plan.actions[0]).toMatchObject({ update: { labels: [{ add: 'fix-overdue' }] }, rule: 'S3' });
    const note = plan.actions[2];
    expect(note?.kind === 'helpdesk.note' && note.html).toMatch(/Fix overdue:.*SUP-42.*\(Highest\).*fix target of 2d.*due 2026-12-02 08:00 UTC.*12h late/);
    expect(JSON.stringify(plan.actions[1])).toMatch(/Fix overdue\..*2d.*12h late.*Freshdesk ticket #2301/);
    expect(plan.decisions).toEqual([expect.objectContaining({ ruleId: 'S3', verdict: 'violation', key: fixKey(issue, 'marked') })]);
    expect(marked.markedAt).toBe(now.toISOString());
    // The mark is kept: later looks plan nothing.
    const again = readFixTarget(bug(), marked, TARGETS, DONE);
    expect(planFixOverdue(again, ticket, 'Freshdesk ticket #2301', issue, 'fix-overdue', new Date('2026-12-03T00:00:00Z')).plan.actions).toEqual([]);
  });

  it('not before the due time, not once done, not without a target', () => {
    const fix = readFixTarget(bug(), null, TARGETS, DONE);
    expect(planFixOverdue(fix, ticket, 't', issue, 'fix-overdue', new Date('2026-12-02T07:59:00Z')).plan.actions).toEqual([]);
    const done = readFixTarget(bug({ status: { id: '10001', name: 'Done', categoryKey: 'done' } }), null, TARGETS, DONE);
    expect(planFixOverdue(done, ticket, 't', issue, 'fix-overdue', new Date('2026-12-09T00:00:00Z')).plan.actions).toEqual([]);
    const none = readFixTarget(bug({ priority: null }), null, TARGETS, DONE);
    expect(planFixOverdue(none, ticket, 't', issue, 'fix-overdue', new Date('2027-01-01T00:00:00Z')).plan.actions).toEqual([]);
  });
});
