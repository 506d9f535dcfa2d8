import type { EntityRef, Vendor } from '../domain/ticket';
import type { CircuitRecord, DeadLetter, ExecutedAction, InboxEvent, InboxStatus, TicketLink } from './types';

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
    replayedAt: dateOrNull(row.replayed_at),
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
