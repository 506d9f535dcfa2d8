import type { CanonicalPriority, CanonicalStatus } from './ticket';

/**
 * Service levels (S1-S3) in the canonical model's terms: what the clock works from, what it
 * says, and what is kept per ticket. Pure data; the clock is src/sla/clock.ts.
 */

/** S1's two targets per ticket. */
export type SlaTargetName = 'first_response' | 'resolution';
export const SLA_TARGETS: readonly SlaTargetName[] = ['first_response', 'resolution'];

/**
 * A target's length as configured: `1h`, `4h`, `3d`, `1d 4h`, `90m`. Days are whole days on
 * the clock (24 hours), or working days of the calendar when counted in business hours.
 */
export interface Goal {
  /** The configured text, for notes. */
  text: string;
  days: number;
  minutes: number;
}

/** The ticket's status since a moment; the clock runs, pauses or stops by it. */
export interface StatusSpan {
  /** ISO 8601 instant (UTC). */
  at: string;
  status: CanonicalStatus;
}

/** What the clock needs of a ticket's life, kept per ticket as events come (src/sla/history.ts). */
export interface SlaHistory {
  createdAt: string;
  /** Status changes, oldest first; the first is at createdAt. */
  statuses: StatusSpan[];
  /** The first public reply by an agent; null until there is one. */
  firstResponseAt: string | null;
  /** The current priority: targets follow it (a change recomputes from the start, as the helpdesks do). */
  priority: CanonicalPriority | null;
  /** How the history before our first sight of the ticket was known. */
  basis: 'observed' | 'event' | 'assumed';
}

/**
 * - running: counting, `dueAt` is when it breaches if nothing changes;
 * - paused: stopped by a waiting status (pending, on hold) or outside a state that counts;
 * - met: achieved before its due time;
 * - breached: its time ran out and it is not met;
 * - met_late: achieved, after its due time.
 */
export type TargetStage = 'running' | 'paused' | 'met' | 'breached' | 'met_late';

export interface TargetClock {
  target: SlaTargetName;
  /** Where the due time comes from: our clock, or the helpdesk's own SLA policy. */
  source: 'ours' | 'helpdesk';
  goal: Goal | null;
  stage: TargetStage;
  /** Counted time so far (business time when a calendar applies), in ms. */
  elapsedMs: number;
  /** Goal minus counted time; negative once breached. */
  remainingMs: number;
  /**
   * When the target breaches, or breached. While running: now plus the remaining time on the
   * calendar. While paused: null (the helpdesks too show no due time for a paused clock).
   */
  dueAt: string | null;
  /** When the counted time reached the goal; null while it has not. */
  breachedAt: string | null;
  /** When it was achieved (the first reply, the resolution); null while it is not. */
  metAt: string | null;
}

/** S2: a breach handled, at most once per ticket and target. */
export interface SlaEscalation {
  target: SlaTargetName;
  /**
   * false: recorded only, because the target ran out long before helpdesk-sync first saw the
   * ticket (installing must not flood old tickets with escalations).
   */
  escalated: boolean;
  /** When helpdesk-sync escalated (or recorded). */
  at: string;
  /** The due time it was escalated against. */
  dueAt: string;
  /** How late the ticket was then, in ms. */
  lateMs: number;
  /** Moved to this (manager) group, when configured. */
  reassignedTo: string | null;
}

/** S3: a linked Jira issue's bug-fix target. */
export interface FixTargetState {
  issueKey: string;
  issueId: string;
  jiraPriority: string | null;
  goal: Goal | null;
  /** Issue created + goal; null when its priority has no target. */
  dueAt: string | null;
  /** The issue reached a done status. */
  doneAt: string | null;
  /** When helpdesk-sync marked it overdue (label, comment, note); null until then. */
  markedAt: string | null;
}

/** Everything kept about one ticket's service levels (the store's sla_states row). */
export interface SlaState {
  history: SlaHistory;
  /** When helpdesk-sync first kept this ticket's SLA state: breaches long before it are recorded, not escalated. */
  trackedSince: string;
  /** The clock's last reading, at `computedAt`. */
  targets: TargetClock[];
  computedAt: string;
  /** The calendar the targets were counted in; null for round-the-clock time. */
  calendar: string | null;
  escalations: SlaEscalation[];
  fix: FixTargetState | null;
}
