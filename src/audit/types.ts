import type { TargetStage, SlaTargetName } from '../domain/sla';
import type { CanonicalPriority, CanonicalStatus, HelpdeskVendor } from '../domain/ticket';
import type { HandoffDirection, Verdict } from '../store/types';

/**
 * The CS leads' audit (A1): one linked pair as a lead reads it. Everything here is derived from
 * what the store kept; nothing calls a vendor. Times are ISO UTC strings, so the same object
 * is the JSON answer, the CSV row's source and the page's data.
 */
export interface AuditPair {
  ticket: AuditTicket;
  /** Null while the raise is under way (the link is reserved, the issue not yet created). */
  issue: AuditIssue | null;
  link: { state: 'creating' | 'linked'; kind: string | null; linkedAt: string; updatedAt: string };
  /** The ticket's and the issue's status disagree (M2's map), and what the reconcile job said (M6). */
  drift: AuditDrift[];
  completeness: AuditCompleteness;
  sla: AuditSla | null;
  /** The owner (E1); names where the ticket's snapshot knows them (its assignee, a comment's author). */
  owner: { id: string; name: string | null; groupId: string | null; groupName: string | null; since: string; claimedAt: string | null } | null;
  trail: AuditTrail;
  violations: AuditViolation[];
  /** E5, for an escalated ticket once resolved; null while it does not apply. */
  knowledge: AuditKnowledge | null;
  /** What needs a lead's attention, each with its rule: empty for a pair in good order. */
  problems: AuditProblem[];
}

export interface AuditTicket {
  vendor: HelpdeskVendor;
  connectionId: string;
  id: string;
  /** Null when no snapshot of the ticket was kept (the fields below are then null too). */
  url: string | null;
  subject: string | null;
  status: CanonicalStatus | null;
  vendorStatus: string | null;
  priority: CanonicalPriority | null;
  groupId: string | null;
  assigneeId: string | null;
  requester: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface AuditIssue {
  connectionId: string;
  id: string;
  key: string;
  url: string | null;
  summary: string | null;
  status: string | null;
  statusCategory: string | null;
  priority: string | null;
  issueType: string | null;
  labels: string[];
  updatedAt: string | null;
}

export interface AuditDrift {
  field: string;
  ticketSide: string;
  jiraSide: string;
  /** Where it was seen: our own reading of both snapshots now, or the reconcile job's last word. */
  source: 'snapshots' | 'reconcile';
  detail: string;
}

/** One part of the issue's content as J2 describes it. */
export interface AuditSection {
  name: 'requester' | 'internalContact' | 'ticketInfo' | 'communication' | 'steps' | 'impact' | 'environment' | 'escalationTrail';
  title: string;
  present: boolean;
  /** J5 asks it of this kind of issue (steps, impact and environment of a bug). */
  required: boolean;
}

export interface AuditCompleteness {
  sections: AuditSection[];
  /** Required sections the issue still lacks (J5). */
  missing: string[];
  /** J5: a bug raised without them is labelled needs-info until they arrive. */
  needsInfo: boolean;
  complete: boolean;
}

export interface AuditSlaTarget {
  target: SlaTargetName;
  stage: TargetStage;
  goal: string | null;
  dueAt: string | null;
  metAt: string | null;
  breachedAt: string | null;
}

export interface AuditSla {
  /** The worst stage of any target: breached, then met_late, running, paused, met. */
  worst: TargetStage | null;
  targets: AuditSlaTarget[];
  /** S2: breaches escalated (or recorded only, when older than tracking). */
  escalations: Array<{ target: SlaTargetName; at: string; escalated: boolean }>;
  /** S3, for a linked bug. */
  fix: { issueKey: string; dueAt: string | null; overdue: boolean; doneAt: string | null } | null;
  computedAt: string | null;
}

export interface AuditHandoff {
  at: string;
  direction: HandoffDirection;
  actorId: string | null;
  from: string | null;
  to: string | null;
  commentId: string | null;
}

export interface AuditTrail {
  handoffs: AuditHandoff[];
  escalations: number;
  /** H5: Tier 2 handing the ticket back. */
  roundTrips: number;
}

export interface AuditViolation {
  ruleId: string;
  verdict: Extract<Verdict, 'violation' | 'corrected'>;
  at: string;
  summary: string;
  actorId: string | null;
  /** What helpdesk-sync did about it (the decision's actions), e.g. private_note, revert_status. */
  actions: string[];
}

export interface AuditKnowledge {
  /** E5's parts: outcome, rootCause, missingDocs. */
  captured: string[];
  missing: string[];
  /** The latest E5 decision. */
  verdict: Verdict | null;
  at: string | null;
}

export type ProblemCode = 'incomplete' | 'drift' | 'sla_breach' | 'fix_overdue' | 'violation' | 'knowledge_gap' | 'raise_stuck' | 'ticket_unseen';

export interface AuditProblem {
  code: ProblemCode;
  ruleId: string;
  text: string;
}

/** What the audit selects. Store-side filters first; status and problems are judged per pair. */
export interface AuditQuery {
  vendor?: HelpdeskVendor;
  connectionId?: string;
  /** Linked at or after. */
  from?: Date;
  /** Linked before. */
  to?: Date;
  /** The ticket's canonical status. */
  status?: CanonicalStatus;
  /** Pairs with a violation or correction under this rule. */
  ruleId?: string;
  problemsOnly?: boolean;
  /** The opaque cursor of the previous page's `next`. */
  cursor?: string;
  limit?: number;
}

export interface AuditPage {
  items: AuditPair[];
  /** Pass as `cursor` for the next page; null at the end. */
  next: string | null;
  /** Pairs read from the store for this page (a filtered page may hold fewer items). */
  scanned: number;
}

/** One pair with its whole story, for the detail view. */
export interface AuditDetail extends AuditPair {
  /** Every decision recorded about the ticket, oldest first. */
  decisions: Array<{ ruleId: string; verdict: Verdict; at: string; summary: string; actorId: string | null; actions: string[] }>;
  /** The pair's story in time order: handoffs, decisions, the raise, the SLA's escalations. */
  timeline: Array<{ at: string; kind: 'raised' | 'handoff' | 'decision' | 'sla'; ruleId: string | null; verdict: Verdict | null; text: string }>;
}

export interface KnowledgeGapItem {
  vendor: HelpdeskVendor;
  connectionId: string;
  ticketId: string;
  subject: string | null;
  ticketUrl: string | null;
  issueKey: string | null;
  issueUrl: string | null;
  ownerId: string | null;
  resolvedAt: string | null;
  missing: string[];
  at: string;
  summary: string;
}
