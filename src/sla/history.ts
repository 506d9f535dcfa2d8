import type { SlaHistory, StatusSpan } from '../domain/sla';
import type { Ticket, TicketComment } from '../domain/ticket';

/**
 * What the SLA clock keeps of a ticket's life, updated from each fresh read of the ticket. The
 * vendor answer says the status now, not since when; a status change is put at the ticket's
 * updated_at, the latest moment it can have happened (never earlier than the last change kept).
 */

/** How the worker came to know the ticket's earlier state (see PreviousBasis of the dispatcher). */
export type FirstSightBasis = 'snapshot' | 'event' | 'history' | 'new' | 'unknown';

/**
 * A reply the requester saw, written by an agent. The ticket's own first message is not one:
 * an agent who opens a ticket for a caller writes it, and the helpdesks do not count it either.
 */
export function isAgentReply(ticket: Ticket, comment: TicketComment): boolean {
  if (!comment.public || comment.incoming) return false;
  if (ticket.requester && comment.authorId === ticket.requester.id) return false;
  const role = comment.author?.role;
  if (role === 'end-user') return false;
  return Date.parse(comment.createdAt) - Date.parse(ticket.createdAt) > 5_000;
}

/** When the first agent reply was written, if there is one. */
export function firstResponseOf(ticket: Ticket): string | null {
  const replies = ticket.comments.filter((c) => isAgentReply(ticket, c)).map((c) => Date.parse(c.createdAt)).filter((t) => !Number.isNaN(t));
  return replies.length ? new Date(Math.min(...replies)).toISOString() : null;
}

const iso = (value: string): string => new Date(Date.parse(value)).toISOString();

function laterOf(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * The history after one more read of the ticket. Without a kept history (first sight), the
 * status at creation is the one the event or the ticket's history says it had just before this
 * change, else `open` (where tickets start), and the current status holds from updated_at.
 */
export function observeTicket(kept: SlaHistory | null, ticket: Ticket, previous: Ticket | null, basis: FirstSightBasis): SlaHistory {
  const createdAt = iso(ticket.createdAt);
  const updatedAt = laterOf(iso(ticket.updatedAt), createdAt);
  // A first response once given stays given, whatever later edits do to the comment.
  const firstResponseAt = kept?.firstResponseAt ?? firstResponseOf(ticket);
  if (!kept) {
    const before = previous?.status ?? 'open';
    const statuses: StatusSpan[] = [{ at: createdAt, status: before }];
    if (ticket.status !== before) statuses.push({ at: updatedAt, status: ticket.status });
    const how: SlaHistory['basis'] = basis === 'new' ? 'observed' : basis === 'event' || basis === 'history' ? 'event' : 'assumed';
    return { createdAt, statuses, firstResponseAt, priority: ticket.priority, basis: how };
  }
  const statuses = [...kept.statuses];
  const last = statuses[statuses.length - 1];
  if (!last || last.status !== ticket.status) statuses.push({ at: last ? laterOf(updatedAt, last.at) : createdAt, status: ticket.status });
  return { ...kept, createdAt, statuses, firstResponseAt, priority: ticket.priority };
}
