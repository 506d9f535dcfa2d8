import type { CanonicalStatus, HelpdeskVendor, JiraIssue } from '../../src/domain/ticket';
import { DEFAULT_STATUS_MAP, holdsStatus, isDone, jiraStatusesFor, statusMapFor } from '../../src/mirror';
import { mirrorConfig, STATUS } from './fixtures';

describe('M2 status map: Jira status names to ticket statuses', () => {
  it.each<[string, CanonicalStatus | undefined]>([
    // Engineering has not started: the ticket is still escalated, open with its agent.
    ['To Do', 'open'],
    ['Open', 'open'],
    ['Backlog', 'open'],
    ['Selected for Development', 'open'],
    ['Waiting for support', 'open'],
    // The SUP-20 incident's workflow and Jira Software: engineering works on it.
    ['Work in progress', 'in_progress'],
    ['In Progress', 'in_progress'],
    ['In Review', 'in_progress'],
    ['Escalated', 'in_progress'],
    // The requester has to answer.
    ['Waiting for customer', 'pending'],
    ['Pending', 'pending'],
    ['On hold', 'on_hold'],
    ['Blocked', 'on_hold'],
    // Done statuses are the owner rule's, not the map's.
    ['Completed', undefined],
    ['Done', undefined],
  ])('M2: %s -> %s', (name, expected) => {
    expect(statusMapFor(mirrorConfig(), 'zendesk', 'default')[name.toLowerCase()]).toBe(expected);
  });

  it('M2: a connection\'s own names override the defaults, case-insensitively, for that connection only', () => {
    const config = mirrorConfig({ statusMap: { 'zendesk/partner-b': { 'QA Review': 'on_hold', 'Work in progress': 'open' } } });
    expect(statusMapFor(config, 'zendesk', 'partner-b')).toMatchObject({ 'qa review': 'on_hold', 'work in progress': 'open', 'in progress': 'in_progress' });
    expect(statusMapFor(config, 'zendesk', 'default')['work in progress']).toBe('in_progress');
    expect(statusMapFor(config, 'freshdesk', 'partner-b')['qa review']).toBeUndefined();
  });

  it('M2: every default key is lower-case (lookups lower-case the Jira name)', () => {
    expect(Object.keys(DEFAULT_STATUS_MAP).filter((k) => k !== k.toLowerCase())).toEqual([]);
  });
});

describe('M2 done', () => {
  it.each<[string, JiraIssue['status'], string[] | undefined, boolean]>([
    ['Completed (done category)', STATUS.completed, undefined, true],
    ['Closed without a category, by name', { id: null, name: 'closed', categoryKey: null }, undefined, true],
    ['Resolved by name', { id: null, name: 'Resolved', categoryKey: 'indeterminate' }, undefined, true],
    ['Work in progress', STATUS.wip, undefined, false],
    ['a configured done name', { id: null, name: 'Released', categoryKey: 'indeterminate' }, ['Released'], true],
  ])('M2: %s', (_what, status, doneStatuses, expected) => {
    expect(isDone(status, mirrorConfig(doneStatuses ? { doneStatuses } : {}))).toBe(expected);
  });
});

describe('statuses a helpdesk stores in place of another', () => {
  it.each<[HelpdeskVendor, CanonicalStatus, CanonicalStatus, boolean]>([
    ['zendesk', 'open', 'in_progress', true],
    ['zendesk', 'on_hold', 'on_hold', true],
    ['zendesk', 'open', 'on_hold', false],
    ['freshdesk', 'open', 'in_progress', true],
    ['freshdesk', 'pending', 'on_hold', true],
    ['freshdesk', 'open', 'pending', false],
  ])('%s reads %s where %s was set: %s', (vendor, actual, wanted, expected) => {
    expect(holdsStatus(vendor, actual, wanted)).toBe(expected);
  });

  it('pushes under helpdesk ownership name the Jira statuses of a ticket status; solved ones are the done statuses', () => {
    const config = mirrorConfig();
    const map = statusMapFor(config, 'zendesk', 'default');
    expect(jiraStatusesFor('pending', map, config)).toEqual(expect.arrayContaining(['waiting for customer', 'pending']));
    expect(jiraStatusesFor('resolved', map, config)).toEqual(config.doneStatuses);
  });
});
