import type { TicketOwner } from '../store/types';
import { decision, mode, roleOfHolder, type PolicyContext } from './context';
import { groupRole, hasTier2, personName } from './roles';
import type { PolicyDecision } from './types';

export interface OwnershipOutcome {
  ownerUpdate: TicketOwner | null;
  decisions: PolicyDecision[];
}

function frontlineHolder(ctx: PolicyContext, holder: { groupId: string | null; assigneeId: string | null }): { ownerId: string; ownerGroupId: string | null } | null {
  if (!ctx.roles || holder.assigneeId === null) return null;
  if (roleOfHolder(ctx, holder) !== 'frontline') return null;
  const group = groupRole(ctx.roles, holder.groupId) === 'frontline' ? holder.groupId : null;
  return { ownerId: holder.assigneeId, ownerGroupId: group };
}

/**
 * E1: the frontline agent who first holds the ticket becomes its owner and stays owner through
 * every escalation. H6: where that first hold is a Tier 1 member taking an unassigned ticket,
 * it is a claim, and the time from creation to claim is kept as first-response data.
 * Ownership moves only when one frontline agent hands the ticket to another.
 */
export function ownership(ctx: PolicyContext): OwnershipOutcome {
  const out: OwnershipOutcome = { ownerUpdate: null, decisions: [] };
  if (!ctx.roles || ctx.fieldsAreOwn || mode(ctx, 'E1') === 'off') return out;
  const { ticket, previous } = ctx;
  const owner = ctx.owner;
  if (owner === null) {
    const now = frontlineHolder(ctx, { groupId: ticket.groupId, assigneeId: ticket.assigneeId });
    // Started watching mid-escalation: the frontline agent it left is the owner.
    const before = previous ? frontlineHolder(ctx, { groupId: previous.groupId, assigneeId: previous.assigneeId }) : null;
    const found = now ?? before;
    if (!found) return out;
    const claimed = !!previous && previous.assigneeId === null && now !== null;
    out.ownerUpdate = { ticket: ctx.ref, ownerId: found.ownerId, ownerGroupId: found.ownerGroupId, since: ctx.changedAt, claimedAt: claimed ? ctx.changedAt : null };
    const name = personName(found.ownerId, ctx.directory);
    out.decisions.push(decision('E1', 'info', found.ownerId, `${name} holds the ticket first and is recorded as its owner`));
    if (claimed && hasTier2(ctx.roles) && mode(ctx, 'H6') !== 'off') {
      const minutes = Math.max(0, Math.round((ctx.changedAt.getTime() - new Date(ticket.createdAt).getTime()) / 60_000));
      out.decisions.push(decision('H6', 'info', found.ownerId, `${name} claimed the unassigned ticket ${minutes} minutes after it was created (first response)`));
    }
    return out;
  }
  const t = ctx.transition;
  if (t?.direction === 'reassign' && t.fromRole === 'frontline' && t.toRole === 'frontline' && t.to.assigneeId !== null && t.to.assigneeId !== owner.ownerId) {
    const next = frontlineHolder(ctx, t.to);
    if (!next) return out;
    out.ownerUpdate = { ...owner, ownerId: next.ownerId, ownerGroupId: next.ownerGroupId ?? owner.ownerGroupId, since: ctx.changedAt };
    out.decisions.push(
      decision('E1', 'info', t.actorId, `ownership moved from ${personName(owner.ownerId, ctx.directory)} to ${personName(next.ownerId, ctx.directory)} (frontline reassignment)`),
    );
  }
  return out;
}
