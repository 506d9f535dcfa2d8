import type { EntityRef, Vendor } from '../domain/ticket';
import type { CircuitRecord, DeadLetter, DeadLetterHistoryEntry, Decision, ExecutedAction, Handoff, HandoffDirection, InboxEvent, InboxStatus, TicketLink, TicketOwner, Verdict } from './types';

/**
 * Rows to the Store's types, shared by both stores: both keep times as epoch milliseconds and
 * JSON as text (PostgreSQL's JSONB columns come back parsed, which `parsed` lets through).
 */
export type Row = Record<string, unknown>;

export const ms = (d: Date) => d.getTime();
export const date = (v: unknown) => new Date(Number(v));
export const dateOrNull = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)));
export const str = (v: unknown) => String(v);
export const strOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));
export const parsed = (v: unknown): unknown => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);

export function refOf(row: Row, idColumn = 'ticket_id'): EntityRef {
  return { vendor: row.vendor as Vendor, connectionId: str(row.connection_id), id: str(row[idColumn]) };
}

export function toEvent(row: Row): InboxEvent {
  return {
    id: Number(row.id),
    vendor: row.vendor as Vendor,
    connectionId: str(row.connection_id),
    entityKey: str(row.entity_key),
    dedupeKey: str(row.dedupe_key),
    eventType: str(row.event_type),
    source: row.source as InboxEvent['source'],
    payload: parsed(row.payload),
    headers: parsed(row.headers) as Record<string, string>,
    receivedAt: date(row.received_at),
    status: row.status as InboxStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: date(row.next_attempt_at),
    lockedBy: strOrNull(row.locked_by),
    lockedUntil: dateOrNull(row.locked_until),
    lastError: strOrNull(row.last_error),
    processedAt: dateOrNull(row.processed_at),
  };
}

export function toDeadLetter(row: Row): DeadLetter {
  const replayedAt = dateOrNull(row.replayed_at);
  const discardedAt = dateOrNull(row.discarded_at);
  return {
    id: Number(row.id),
    eventId: Number(row.event_id),
    vendor: row.vendor as Vendor,
    connectionId: str(row.connection_id),
    entityKey: str(row.entity_key),
    eventType: str(row.event_type),
    attempts: Number(row.attempts),
    error: str(row.error),
    deadAt: date(row.dead_at),
    replayedAt,
    state: discardedAt ? 'discarded' : replayedAt ? 'replayed' : 'open',
    deaths: Number(row.deaths ?? 1),
    discardedAt,
    discardedBy: strOrNull(row.discarded_by),
    discardReason: strOrNull(row.discard_reason),
  };
}

export function toDeadLetterHistory(row: Row): DeadLetterHistoryEntry {
  return {
    at: date(row.at),
    action: row.action as DeadLetterHistoryEntry['action'],
    attempts: row.attempts === null || row.attempts === undefined ? null : Number(row.attempts),
    error: strOrNull(row.error),
    by: strOrNull(row.actor),
    reason: strOrNull(row.reason),
  };
}

export function toExecuted(row: Row): ExecutedAction {
  return {
    idempotencyKey: str(row.idempotency_key),
    ticket: row.vendor ? refOf(row) : null,
    kind: str(row.kind),
    result: parsed(row.result),
    at: date(row.at),
    ruleId: strOrNull(row.rule_id),
    target: row.target_vendor ? { vendor: row.target_vendor as Vendor, connectionId: str(row.target_connection_id), id: str(row.target_id) } : null,
    resultId: strOrNull(row.result_id),
    state: (row.state as ExecutedAction['state']) ?? 'done',
  };
}

export function toLink(row: Row): TicketLink {
  return {
    ticket: refOf(row),
    jiraConnectionId: str(row.jira_connection_id),
    issueId: strOrNull(row.issue_id),
    issueKey: strOrNull(row.issue_key),
    state: row.state as TicketLink['state'],
    kind: strOrNull(row.kind),
    missing: parsed(row.missing_sections ?? '[]') as string[],
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

export function toOwner(row: Row): TicketOwner {
  return {
    ticket: refOf(row),
    ownerId: str(row.owner_id),
    ownerGroupId: strOrNull(row.owner_group_id),
    since: date(row.since),
    claimedAt: dateOrNull(row.claimed_at),
  };
}

export function toHandoff(row: Row): Handoff {
  return {
    id: Number(row.id),
    ticket: refOf(row),
    at: date(row.at),
    actorId: strOrNull(row.actor_id),
    direction: row.direction as HandoffDirection,
    fromGroupId: strOrNull(row.from_group_id),
    toGroupId: strOrNull(row.to_group_id),
    fromAssigneeId: strOrNull(row.from_assignee_id),
    toAssigneeId: strOrNull(row.to_assignee_id),
    commentId: strOrNull(row.comment_id),
  };
}

/** Both stores keep the actions as JSON text (TEXT in PostgreSQL too). */
export function toDecision(row: Row): Decision {
  return {
    id: Number(row.id),
    ticket: refOf(row),
    ruleId: str(row.rule_id),
    verdict: row.verdict as Verdict,
    actorId: strOrNull(row.actor_id),
    at: date(row.at),
    summary: str(row.summary),
    actions: parsed(row.actions) as unknown[],
    eventId: row.event_id === null ? null : Number(row.event_id),
    key: strOrNull(row.decision_key),
  };
}

/** The key of a ticket (or issue) in a Map: its three parts, joined by a character no id holds. */
export const refKey = (vendor: string, connectionId: string, id: string) => `${vendor}\u0000${connectionId}\u0000${id}`;

/** UTC day number (days since 1970-01-01) to YYYY-MM-DD. */
export const dayOf = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

/**
 * The day number of an epoch-ms column in SQL, floored (`/` truncates towards zero in both
 * stores); the same text works in SQLite and PostgreSQL.
 */
export const daySql = (column: string) => `(${column} / 86400000 - CASE WHEN ${column} % 86400000 < 0 THEN 1 ELSE 0 END)`;

export function toCircuit(row: Row): CircuitRecord {
  return {
    vendor: str(row.vendor) as Vendor,
    connectionId: str(row.connection_id),
    holder: str(row.holder),
    state: str(row.state) as CircuitRecord['state'],
    reason: strOrNull(row.reason) as CircuitRecord['reason'],
    failures: Number(row.failures),
    openedAt: dateOrNull(row.opened_at),
    probeAt: dateOrNull(row.probe_at),
    lastError: strOrNull(row.last_error),
    updatedAt: date(row.updated_at),
  };
}

export function circuitValues(r: CircuitRecord): unknown[] {
  return [r.vendor, r.connectionId, r.holder, r.state, r.reason, r.failures, r.openedAt ? ms(r.openedAt) : null, r.probeAt ? ms(r.probeAt) : null, r.lastError, ms(r.updatedAt)];
}
