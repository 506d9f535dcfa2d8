import type { CanonicalPriority, CanonicalStatus, Ticket } from './ticket';

/**
 * What one webhook (or one Zendesk audit) itself says about the change it reports, in the
 * canonical model's terms. A ticket seen for the first time has no snapshot to diff against;
 * these facts are what lets the worker rebuild the state just before the change (README
 * "First sight"). The vendor readers live in src/vendors/event-facts.ts.
 */

export interface FieldMove<T = string | null> {
  from: T;
  to: T;
}

export interface EventFacts {
  /** Who made the change, as the event says (Zendesk detail.actor_id, Jira user.accountId, Zendesk audit author_id); null when it does not say. */
  actorId: string | null;
  /** The entity's updated_at this change produced (ISO, UTC), where the event says. */
  updatedAt: string | null;
  /** The event says the ticket/issue was just created. */
  created: boolean;
  group?: FieldMove;
  assignee?: FieldMove;
  status?: FieldMove<CanonicalStatus | null>;
  priority?: FieldMove<CanonicalPriority | null>;
  /** Jira only: the status change by name, from the changelog. */
  issueStatus?: FieldMove<string | null>;
  /** The comment the event is about (Zendesk comment_added, Jira comment_created/updated). */
  comment?: { id: string; authorId: string | null; public: boolean | null };
  /**
   * The event reports a note of ours (M5) without naming its id: Freshdesk names no actor, but
   * its body carries the latest private note, and ours end with our signature.
   */
  ownNote?: boolean;
}

/** True when the facts name the creation, a field that moved or a comment: something to judge by. */
export function saysSomething(facts: EventFacts): boolean {
  return (
    facts.created ||
    facts.group !== undefined ||
    facts.assignee !== undefined ||
    facts.status !== undefined ||
    facts.priority !== undefined ||
    facts.issueStatus !== undefined ||
    facts.comment !== undefined
  );
}

/**
 * Milliseconds of an ISO 8601 time with its zone, else null (then nothing is judged by it).
 * Date.parse alone would read "January 08, 2025 14:25" in the server's zone: a guess.
 */
function instant(value: string | null | undefined): number | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The comments the ticket had before the change: the event's own comment is never among them,
 * and neither is one created strictly after the change, when both times are known. A comment
 * stamped in the same second as the change stays: it may have come just before it.
 */
function commentsBefore(current: Ticket, facts: EventFacts): Ticket['comments'] {
  const changedAt = instant(facts.updatedAt);
  const eventCommentId = facts.comment?.id;
  return current.comments.filter((c) => {
    if (eventCommentId !== undefined && c.id === eventCommentId) return false;
    const createdAt = instant(c.createdAt);
    return changedAt === null || createdAt === null || createdAt <= changedAt;
  });
}

/**
 * The ticket as it stood just before the event, built from the freshly fetched one: each field
 * the facts name is set back to its `from`, and the comments the change (or later ones) added
 * are dropped. Pure. Null for a ticket the event says is new, and when the facts say nothing
 * (the caller then looks elsewhere, such as the ticket's history).
 */
export function previousFromFacts(current: Ticket, facts: EventFacts): Ticket | null {
  if (facts.created || !saysSomething(facts)) return null;
  const previous: Ticket = { ...current, tags: [...current.tags], comments: commentsBefore(current, facts) };
  if (facts.group) {
    previous.groupId = facts.group.from;
    // The old group's name is not in the event; a stale name would contradict the id.
    if ('groupName' in current) previous.groupName = null;
  }
  if (facts.assignee) {
    previous.assigneeId = facts.assignee.from;
    if ('assignee' in current) previous.assignee = null;
  }
  // A status the event could not map says only that it moved; the ticket cannot hold "unknown",
  // so the current one stays. vendorStatus stays too: the vendor's old spelling is not known here.
  if (facts.status && facts.status.from !== null) previous.status = facts.status.from;
  if (facts.priority) previous.priority = facts.priority.from;
  return previous;
}
