import type { EntityRef, TicketPatch } from './ticket';

/** An Atlassian Document Format document, as Jira's v3 API takes comment and description bodies. */
export type AdfDoc = { version: 1; type: 'doc'; content: unknown[] };

/** The Jira issue a write goes to: its connection, numeric id and key. */
export interface IssueTarget {
  connectionId: string;
  id: string;
  key: string;
}

interface ActionBase {
  /**
   * One key per change, whichever path brought it (webhook, poll, reconcile, retry): the
   * executor writes an action at most once per key and records the write in the ledger.
   */
  key: string;
  /** The rule the write enforces (M1, J4, E2 ...), for the ledger and the audit trail. */
  rule: string;
  /** The helpdesk ticket the write is about (its pair, for Jira writes). */
  ticket: EntityRef;
}

/**
 * The typed writes every decision maker (policy, Jira composer, mirror) produces and the one
 * executor performs. Pure code builds them; nothing here does I/O.
 */
export type WriteAction =
  | (ActionBase & {
      kind: 'helpdesk.note';
      /** HTML, already signed (signNote): never a public reply. */
      html: string;
      /** Tags or custom fields set in the same write where the vendor allows it. */
      also?: { addTags?: string[]; customFields?: Record<string, string> };
    })
  /** Status, assignment, tags, priority, organisation: a patch of the ticket. */
  | (ActionBase & { kind: 'helpdesk.update'; patch: TicketPatch })
  | (ActionBase & { kind: 'jira.comment'; issue: IssueTarget; body: AdfDoc })
  /**
   * Moves the issue to the first of `toStatuses` one of its transitions leads to, found by the
   * transition's target status name (case-insensitive), never by a hard-coded id.
   */
  | (ActionBase & { kind: 'jira.transition'; issue: IssueTarget; toStatuses: string[]; comment?: AdfDoc })
  | (ActionBase & { kind: 'jira.edit'; issue: IssueTarget; fields?: Record<string, unknown>; update?: Record<string, unknown[]> });

export type WriteKind = WriteAction['kind'];

/** A decision a pure decision maker wants in the audit trail, beside its actions. */
export interface DecisionDraft {
  ruleId: string;
  verdict: 'ok' | 'violation' | 'corrected' | 'info';
  summary: string;
  actorId: string | null;
  /** The keys of the actions this decision asked for. */
  actionKeys: string[];
}

/** What a decision maker returns: the writes to make and the decisions to record. */
export interface Plan {
  actions: WriteAction[];
  decisions: DecisionDraft[];
}

export const emptyPlan = (): Plan => ({ actions: [], decisions: [] });
