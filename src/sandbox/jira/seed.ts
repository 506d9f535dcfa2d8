import { JIRA_PROJECT, JIRA_USERS } from '../seed-people';
import { adfParagraphs } from './adf';
import type { IssueRecord } from './state';
import { STATUSES } from './world';

/**
 * Two issues that already exist when the sandbox starts, so a fresh site is not empty:
 * SUP-20 is the "system is down" incident (demo scenario a), investigated by tech1; SUP-19 is an older
 * task already resolved. New issues start at SUP-21 (id 10021). Nothing else is seeded.
 */
export function seedIssues(): IssueRecord[] {
  const { priya, tech1 } = JIRA_USERS;
  const at = (iso: string) => new Date(iso);
  return [
    {
      id: '10019',
      key: `${JIRA_PROJECT.key}-19`,
      projectId: JIRA_PROJECT.id,
      issueTypeId: '10003',
      summary: 'Nightly usage report arrives empty',
      description: adfParagraphs('The 02:00 usage report email has had no rows since Monday.'),
      statusId: STATUSES.completed.id,
      priorityId: '4',
      labels: ['reports'],
      assigneeId: tech1.accountId,
      reporterId: priya.accountId,
      creatorId: priya.accountId,
      resolutionId: '10000',
      resolutionDate: at('2025-01-07T16:40:00.000Z'),
      created: at('2025-01-06T09:12:00.000Z'),
      updated: at('2025-01-07T16:40:00.000Z'),
      customFields: {},
      properties: new Map(),
      comments: [],
      remoteLinks: [],
    },
    {
      id: '10020',
      key: `${JIRA_PROJECT.key}-20`,
      projectId: JIRA_PROJECT.id,
      issueTypeId: '10004',
      summary: 'system is down',
      description: adfParagraphs('Cannot access the backend', 'System is unreacheable'),
      statusId: STATUSES.workInProgress.id,
      priorityId: '1',
      labels: ['incident'],
      assigneeId: tech1.accountId,
      reporterId: priya.accountId,
      creatorId: priya.accountId,
      resolutionId: null,
      resolutionDate: null,
      created: at('2025-01-08T14:05:31.000Z'),
      updated: at('2025-01-08T14:25:30.000Z'),
      customFields: {},
      properties: new Map(),
      comments: [
        {
          id: '10300',
          issueId: '10020',
          authorId: priya.accountId,
          updateAuthorId: priya.accountId,
          body: adfParagraphs('Request has been assigned to a system engineer'),
          created: at('2025-01-08T14:25:30.000Z'),
          updated: at('2025-01-08T14:25:30.000Z'),
          properties: [],
          visibility: null,
        },
      ],
      remoteLinks: [],
    },
  ];
}
