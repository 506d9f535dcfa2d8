import type { JiraIssuesConfig } from '../config/schema';
import type { Person, Ticket } from '../domain/ticket';

/** A Jira issue type decision of rule J1/J3. */
export type IssueKind = 'bug' | 'request';

export type SectionName = 'steps' | 'impact' | 'environment';

/** Steps to reproduce, impact and environment as found on the ticket (J2); null when absent. */
export type Sections = Record<SectionName, string | null>;

/** One hop of the escalation trail, already resolved to readable names where known. */
export interface TrailEntry {
  at: string;
  direction: string;
  from: string | null;
  to: string | null;
  actor: string | null;
}

export interface ComposeInput {
  ticket: Ticket;
  kind: IssueKind;
  /** The internal contact: the ticket's owner (E1), else its assignee. */
  owner: Person | null;
  trail: TrailEntry[];
  projectKey: string;
  config: JiraIssuesConfig;
  /** When the issue is composed, for "as of" wording. */
  now: Date;
}

export type AdfNode = { type: string; attrs?: Record<string, unknown>; content?: AdfNode[]; text?: string; marks?: Array<{ type: string; attrs?: Record<string, unknown> }> };
export type AdfDocument = { version: 1; type: 'doc'; content: AdfNode[] };

export interface ComposedIssue {
  /** The `fields` of POST /rest/api/3/issue. */
  fields: {
    project: { key: string };
    issuetype: { name: string };
    summary: string;
    description: AdfDocument;
    priority?: { name: string };
    labels: string[];
  };
  /** Entity properties set in the create call: the ticket's identity, for lookup and echo detection. */
  properties: Array<{ key: string; value: unknown }>;
  sections: Sections;
  /** For a bug: the sections J5 requires that the ticket lacks. Always empty for a request. */
  missing: SectionName[];
  /** The description had to be cut to Jira's limits. */
  truncated: boolean;
}
