import type { EventFacts, FieldMove } from '../../domain/first-sight';
import type { CanonicalStatus } from '../../domain/ticket';
import { numericId } from '../../intake/types';
import { zendeskInstant } from './event-facts';
import { priorityFromZendesk, statusFromZendesk } from './mapper';
import type { ZendeskAudit, ZendeskAuditEvent } from './schemas';

/**
 * A ticket's audits (GET /api/v2/tickets/{id}/audits) record every update with its events
 * (Comment, Change, Create ...). For a ticket seen for the first time they say what the change that
 * produced its current state was, where the webhook that brought it says nothing.
 */

/** Fields whose moves EventFacts carries; an audit touching only others (tags, custom fields) tells less. */
const TRACKED_FIELDS = new Set(['group_id', 'assignee_id', 'status', 'priority']);

function isTracked(e: ZendeskAuditEvent): boolean {
  return e.type === 'Create' || e.type === 'Comment' || (e.type === 'Change' && TRACKED_FIELDS.has(e.field_name ?? ''));
}

/** Notification-only audits (emails sent, SLA bookkeeping) changed nothing on the ticket. */
function changesTicket(audit: ZendeskAudit): boolean {
  return audit.events.some((e) => e.type === 'Create' || e.type === 'Change' || e.type === 'Comment');
}

/**
 * The audit that produced the state stamped `atUpdatedAt`: one created in that same second,
 * preferring the last that moved a field EventFacts carries (a trigger's tag-only audit can
 * share the agent's second); else the newest audit that changed anything.
 */
export function auditAt(audits: readonly ZendeskAudit[], atUpdatedAt: string | null): ZendeskAudit | null {
  const changing = audits.filter(changesTicket);
  const at = atUpdatedAt === null ? Number.NaN : Date.parse(atUpdatedAt);
  if (!Number.isNaN(at)) {
    const same = changing.filter((a) => typeof a.created_at === 'string' && Date.parse(a.created_at) === at);
    const chosen = [...same].reverse().find((a) => a.events.some(isTracked)) ?? same[same.length - 1];
    if (chosen) return chosen;
  }
  return changing[changing.length - 1] ?? null;
}

/** Audit values: ids as strings (or numbers), enums lower case, "" or null for none. */
function text(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function statusOf(value: unknown): CanonicalStatus | null {
  const t = text(value);
  return t === null ? null : statusFromZendesk(t);
}

function moveOf<T>(e: ZendeskAuditEvent, read: (v: unknown) => T): FieldMove<T> {
  return { from: read(e.previous_value), to: read(e.value) };
}

/** One audit as EventFacts: its author is the actor; Change events are moves; Create means a new ticket. */
export function auditFacts(audit: ZendeskAudit): EventFacts {
  const facts: EventFacts = {
    actorId: numericId(audit.author_id),
    updatedAt: zendeskInstant(audit.created_at),
    created: audit.events.some((e) => e.type === 'Create'),
  };
  for (const e of audit.events) {
    if (e.type === 'Comment' && !facts.comment) {
      facts.comment = { id: e.id, authorId: numericId(e.author_id), public: e.public ?? null };
    }
    if (e.type !== 'Change') continue;
    if (e.field_name === 'group_id') facts.group = moveOf(e, (v) => numericId(text(v)));
    if (e.field_name === 'assignee_id') facts.assignee = moveOf(e, (v) => numericId(text(v)));
    if (e.field_name === 'status') facts.status = moveOf(e, statusOf);
    if (e.field_name === 'priority') facts.priority = moveOf(e, (v) => priorityFromZendesk(text(v)));
  }
  return facts;
}
