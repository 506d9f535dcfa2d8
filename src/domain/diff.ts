import type { Ticket, TicketComment } from './ticket';

/** What changed on a ticket between the last state we kept and the state the vendor has now. */
export interface TicketChanges {
  isNew: boolean;
  group: { from: string | null; to: string | null } | null;
  assignee: { from: string | null; to: string | null } | null;
  status: { from: string | null; to: string } | null;
  priority: { from: string | null; to: string | null } | null;
  tagsAdded: string[];
  tagsRemoved: string[];
  /** Comments we had not seen, oldest first. */
  newComments: TicketComment[];
}

const changed = <T>(from: T | null, to: T | null) => (from === to ? null : { from, to });

/**
 * Pure diff: webhooks carry different parts of a change depending on vendor and connection
 * method, so the stored snapshot is what tells us reliably what changed.
 */
export function diffTicket(previous: Ticket | null, current: Ticket): TicketChanges {
  if (!previous) {
    return {
      isNew: true,
      group: current.groupId ? { from: null, to: current.groupId } : null,
      assignee: current.assigneeId ? { from: null, to: current.assigneeId } : null,
      status: { from: null, to: current.status },
      priority: current.priority ? { from: null, to: current.priority } : null,
      tagsAdded: [...current.tags],
      tagsRemoved: [],
      newComments: [...current.comments],
    };
  }
  const seen = new Set(previous.comments.map((c) => c.id));
  const before = new Set(previous.tags);
  const after = new Set(current.tags);
  const status = previous.status === current.status ? null : { from: previous.status, to: current.status };
  return {
    isNew: false,
    group: changed(previous.groupId, current.groupId),
    assignee: changed(previous.assigneeId, current.assigneeId),
    status,
    priority: changed(previous.priority, current.priority),
    tagsAdded: current.tags.filter((t) => !before.has(t)),
    tagsRemoved: previous.tags.filter((t) => !after.has(t)),
    newComments: current.comments.filter((c) => !seen.has(c.id)),
  };
}

export function hasChanges(c: TicketChanges): boolean {
  return c.isNew || !!(c.group || c.assignee || c.status || c.priority || c.tagsAdded.length || c.tagsRemoved.length || c.newComments.length);
}
