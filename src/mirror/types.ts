import type { JiraIssuesConfig, MirrorConfig } from '../config/schema';
import type { IssueTarget, Plan } from '../domain/actions';
import type { CanonicalStatus, EntityRef, Vendor } from '../domain/ticket';

/** One write of ours as the ledger records it. */
export interface LedgerView {
  key: string;
  kind: string;
  ruleId: string | null;
  resultId: string | null;
  targetVendor: Vendor | null;
  /** ISO time the write was recorded. */
  at: string;
  /**
   * `started`: the call went out and its answer never came back. Such a key is not mirrored
   * yet: the action is asked for again, so the executor can find the write by its ref or make
   * it. Absent reads as done.
   */
  state?: 'started' | 'done';
}

/** A linked ticket and issue, with what is kept about them. */
export interface Pair {
  ticket: EntityRef;
  issue: IssueTarget;
  /** When the link was made: older comments are already in the issue's description (J2). */
  linkedAt: string;
  /** The ticket's owner (E1), who gets it back when Jira is done. */
  owner: { ownerId: string; ownerGroupId: string | null } | null;
  /** Every ledger row of this pair, both sides. */
  writes: LedgerView[];
}

/** Who helpdesk-sync is on each side: what they write is our own (M5). */
export interface MirrorIdentity {
  helpdeskUserIds: ReadonlySet<string>;
  jiraAccountIds: ReadonlySet<string>;
}

export interface MirrorSettings {
  config: MirrorConfig;
  priorityMap: JiraIssuesConfig['priorityMap'];
  /** Lower-cased Jira status name -> ticket status, for this ticket's connection, defaults merged. */
  statusMap: Record<string, CanonicalStatus>;
}

export interface Drift {
  field: 'status' | 'priority' | 'comments';
  ticketSide: string;
  jiraSide: string;
  repaired: boolean;
  reason: string;
}

export type ReconcilePlan = Plan & { drift: Drift[] };
