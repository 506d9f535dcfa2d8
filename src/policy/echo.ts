import type { TicketComment } from '../domain/ticket';
import type { ConnectionRoles, PolicyAction } from './types';
import type { Decision } from '../store/types';
import { isSigned } from '../domain/rules';

/**
 * M5: a comment helpdesk-sync wrote itself: by its API user, or a private note carrying the
 * signature line every one of its notes ends with ("helpdesk-sync · rule ...").
 */
export function isOwnComment(comment: TicketComment, roles: ConnectionRoles | null): boolean {
  if (comment.authorId !== null && roles?.integrationUserIds.has(comment.authorId)) return true;
  return !comment.public && isSigned(comment.bodyText);
}

const ACTION_KINDS = new Set<string>(['privateNote', 'reassign', 'clearAssignee', 'setOrganisation', 'addTag', 'removeTag', 'setPriority']);

/** Decision.actions is stored as unknown[]: read back only what is one of our actions. */
export function isPolicyAction(value: unknown): value is PolicyAction {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.kind === 'string' && ACTION_KINDS.has(v.kind) && typeof v.idempotencyKey === 'string';
}

export function actionsOf(decision: Decision): PolicyAction[] {
  return decision.actions.filter(isPolicyAction);
}

/**
 * M5 for field changes whose actor is unknown: the ticket now holds exactly what one of our
 * corrections set (and did not before), so the change is that correction arriving back.
 */
export function isEchoOfCorrection(
  decisions: readonly Decision[],
  before: { groupId: string | null; assigneeId: string | null },
  after: { groupId: string | null; assigneeId: string | null },
): boolean {
  for (const decision of decisions) {
    if (decision.verdict !== 'corrected') continue;
    for (const action of actionsOf(decision)) {
      if (action.kind === 'reassign') {
        const target = action.groupId === after.groupId && action.assigneeId === after.assigneeId;
        const already = action.groupId === before.groupId && action.assigneeId === before.assigneeId;
        if (target && !already) return true;
      }
      if (action.kind === 'clearAssignee' && before.assigneeId !== null && after.assigneeId === null && before.groupId === after.groupId) {
        return true;
      }
    }
  }
  return false;
}
