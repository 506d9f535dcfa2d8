import { JIRA_USERS, type SeedJiraUser } from '../seed-people';
import type { AdfNode } from './adf';
import { seedIssues } from './seed';

/**
 * The sandbox's Jira data, in memory and typed so tests and the demo can check end states.
 * Records hold ids (status, priority, account); the API and webhook shapes are built from them
 * by represent.ts, so one change shows up consistently in every answer.
 */

export interface CommentRecord {
  id: string;
  issueId: string;
  authorId: string;
  updateAuthorId: string;
  body: AdfNode;
  created: Date;
  updated: Date;
  properties: Array<{ key: string; value: unknown }>;
  visibility: unknown;
}

export interface RemoteLinkRecord {
  id: number;
  globalId: string | null;
  application: unknown;
  relationship: string | null;
  object: Record<string, unknown>;
}

export interface IssueRecord {
  id: string;
  key: string;
  projectId: string;
  issueTypeId: string;
  summary: string;
  description: AdfNode | null;
  statusId: string;
  priorityId: string | null;
  labels: string[];
  assigneeId: string | null;
  reporterId: string | null;
  creatorId: string;
  resolutionId: string | null;
  resolutionDate: Date | null;
  created: Date;
  updated: Date;
  customFields: Record<string, unknown>;
  properties: Map<string, unknown>;
  comments: CommentRecord[];
  remoteLinks: RemoteLinkRecord[];
}

export class JiraState {
  readonly issues = new Map<string, IssueRecord>();
  readonly users: readonly SeedJiraUser[] = Object.values(JIRA_USERS);
  private nextIssueId = 10021;
  private nextKeyNumber = 21;
  private nextCommentId = 10300;
  private nextRemoteLinkId = 10000;
  private nextChangelogId = 10500;

  constructor(withSeedIssues = true) {
    if (withSeedIssues) for (const issue of seedIssues()) this.issues.set(issue.id, issue);
  }

  /** Jira accepts either the numeric id or the key (case-insensitive) wherever an issue is named. */
  findIssue(idOrKey: string): IssueRecord | undefined {
    if (/^\d+$/.test(idOrKey)) return this.issues.get(idOrKey);
    const key = idOrKey.toUpperCase();
    for (const issue of this.issues.values()) if (issue.key === key) return issue;
    return undefined;
  }

  user(accountId: string | null): SeedJiraUser | undefined {
    return accountId ? this.users.find((u) => u.accountId === accountId) : undefined;
  }

  newIssueIdAndKey(projectKey: string): { id: string; key: string } {
    const out = { id: String(this.nextIssueId), key: `${projectKey}-${this.nextKeyNumber}` };
    this.nextIssueId += 1;
    this.nextKeyNumber += 1;
    return out;
  }

  newCommentId(): string {
    this.nextCommentId += 1;
    return String(this.nextCommentId);
  }

  newRemoteLinkId(): number {
    this.nextRemoteLinkId += 1;
    return this.nextRemoteLinkId;
  }

  newChangelogId(): string {
    this.nextChangelogId += 1;
    return String(this.nextChangelogId);
  }
}
