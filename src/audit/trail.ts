import { countRoundTrips } from '../policy/handoff';
import type { Handoff } from '../store/types';
import type { AuditHandoff, AuditTrail } from './types';

/** A handoff's direction in plain words (the audit's timeline, explain). */
export const DIRECTION_WORDS: Record<string, string> = {
  escalate: 'escalated',
  handback: 'handed back',
  consult: 'sent for a consult',
  return: 'returned to the owner',
  reassign: 'reassigned',
};

const side = (assignee: string | null, group: string | null): string | null => {
  if (assignee && group) return `agent ${assignee} (group ${group})`;
  if (assignee) return `agent ${assignee}`;
  if (group) return `group ${group}`;
  return null;
};

export function handoffOf(h: Handoff): AuditHandoff {
  return {
    at: h.at.toISOString(),
    direction: h.direction,
    actorId: h.actorId,
    from: side(h.fromAssigneeId, h.fromGroupId),
    to: side(h.toAssigneeId, h.toGroupId),
    commentId: h.commentId,
  };
}

/** E1-E4 and H1-H5: every handoff, the escalations among them and the round trips (H5). */
export function trailOf(handoffs: readonly Handoff[]): AuditTrail {
  return {
    handoffs: handoffs.map(handoffOf),
    escalations: handoffs.filter((h) => h.direction === 'escalate').length,
    roundTrips: countRoundTrips(handoffs),
  };
}
