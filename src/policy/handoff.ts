import type { TicketComment } from '../domain/ticket';
import type { Handoff } from '../store/types';
import { actionKey, correctionHandoff, decision, guardCorrection, mode, reversedDecision, roleOf, type PolicyContext } from './context';
import { isOwnComment } from './echo';
import type { RuleOutcome } from './ladder';
import { contextFirstNote, groupOnlyNote, handbackNote, tier2PublicNote } from './notes';
import { groupName, hasTier2, personName } from './roles';
import type { PolicyAction, PolicyDecision } from './types';

/** H5: a round trip is Tier 2 handing the ticket back; each handback closes one. */
export function countRoundTrips(handoffs: readonly Handoff[]): number {
  return handoffs.filter((h) => h.direction === 'handback').length;
}

function intoTier2(ctx: PolicyContext): boolean {
  const t = ctx.transition;
  return !!t && !!ctx.roles && t.to.groupId === ctx.roles.tier2Group && t.from.groupId !== ctx.roles.tier2Group && t.fromRole === 'frontline';
}

/** The last escalation into Tier 2 in the trail: the scope of H2's one correction. */
function lastEscalation(ctx: PolicyContext): Date | null {
  const tier2 = ctx.roles?.tier2Group ?? null;
  const h = [...ctx.handoffs].reverse().find((x) => x.direction === 'escalate' && x.toGroupId === tier2);
  return h ? h.at : null;
}

/** H1: the private comment a Tier 1 agent left since the last handoff, if any. */
export function contextComment(ctx: PolicyContext): TicketComment | null {
  const t = ctx.transition;
  if (!t) return null;
  const last = ctx.input.history.handoffs[ctx.input.history.handoffs.length - 1];
  const since = last ? last.at.getTime() : Number.NEGATIVE_INFINITY;
  const tier1 = new Set([t.actorId, t.from.assigneeId, ctx.owner?.ownerId ?? null].filter((x): x is string => x !== null));
  const found = [...ctx.ticket.comments].reverse().find((c) => {
    if (c.public || c.incoming || isOwnComment(c, ctx.roles) || c.authorId === null) return false;
    const at = new Date(c.createdAt).getTime();
    if (at <= since || at > ctx.changedAt.getTime()) return false;
    return tier1.has(c.authorId) || roleOf(ctx, c.authorId) === 'frontline';
  });
  return found ?? null;
}

/** H1: escalating to Tier 2 needs a private comment from the Tier 1 agent since the last handoff. */
export function contextFirst(ctx: PolicyContext): PolicyDecision[] {
  if (mode(ctx, 'H1') === 'off' || !hasTier2(ctx.roles) || !intoTier2(ctx)) return [];
  const t = ctx.transition;
  if (!t) return [];
  const agentId = t.actorId ?? t.from.assigneeId;
  if (contextComment(ctx)) return [decision('H1', 'ok', agentId, 'escalated to Tier 2 with a private comment giving the context')];
  const agent = personName(agentId, ctx.directory, 'Hello');
  return [
    decision('H1', 'violation', agentId, 'escalated to Tier 2 without a private comment since the last handoff', [
      { kind: 'privateNote', idempotencyKey: actionKey(ctx, 'H1', ctx.changeAnchor, 'privateNote'), html: contextFirstNote(agent) },
    ]),
  ];
}

/**
 * H2: escalation assigns the Tier 2 group, not a person. Judged on the escalation itself, and
 * when a Tier 1 agent sets a Tier 2 assignee afterwards (a Tier 2 agent pulling the ticket is
 * how the Tier 1 / Tier 2 handoff works and is never judged).
 */
export function groupOnly(ctx: PolicyContext): PolicyDecision[] {
  const m = mode(ctx, 'H2');
  if (m === 'off' || !hasTier2(ctx.roles)) return [];
  const t = ctx.transition;
  if (!t || t.to.assigneeId === null) return [];
  const tier2 = ctx.roles.tier2Group;
  const escalation = intoTier2(ctx);
  const tier1Assigns =
    t.from.groupId === tier2 && t.to.groupId === tier2 && t.from.assigneeId === null && t.actorId !== null &&
    (roleOf(ctx, t.actorId) === 'frontline' || t.actorId === ctx.owner?.ownerId);
  if (!escalation && !tier1Assigns) return [];
  const assignee = personName(t.to.assigneeId, ctx.directory);
  const key = actionKey(ctx, 'H2', ctx.changeAnchor, m === 'enforce' ? 'clearAssignee' : 'privateNote');
  const guard = guardCorrection(ctx, 'H2', key, { since: escalation ? t.at : lastEscalation(ctx) });
  if (guard === 'done') return [];
  if (guard === 'reversed') return [reversedDecision('H2', t.actorId)];
  const note: PolicyAction = { kind: 'privateNote', idempotencyKey: actionKey(ctx, 'H2', ctx.changeAnchor, 'privateNote'), html: groupOnlyNote(assignee, m === 'enforce') };
  const summary = `escalated to Tier 2 with an assignee (${assignee}) instead of the group alone`;
  if (m === 'warn') return [decision('H2', 'violation', t.actorId, summary, [note])];
  return [decision('H2', 'corrected', t.actorId, `${summary}; assignee cleared`, [{ kind: 'clearAssignee', idempotencyKey: key }, note])];
}

/** H3: Tier 2 answers privately; a public comment by a Tier 2 agent is reported to the owner. */
export function tier2Private(ctx: PolicyContext): PolicyDecision[] {
  if (mode(ctx, 'H3') === 'off' || !hasTier2(ctx.roles)) return [];
  const ownerName = personName(ctx.owner?.ownerId ?? null, ctx.directory, 'the owner');
  return ctx.newComments
    .filter((c) => c.public && !c.incoming && c.authorId !== null && roleOf(ctx, c.authorId) === 'firstEscalation')
    .map((c) => {
      const author = personName(c.authorId, ctx.directory);
      return decision('H3', 'violation', c.authorId, `Tier 2 agent ${author} commented publicly`, [
        { kind: 'privateNote', idempotencyKey: actionKey(ctx, 'H3', `comment:${c.id}`, 'privateNote'), html: tier2PublicNote(author, ownerName) },
      ]);
    });
}

/** H4: a handback from Tier 2 goes to the owner's group and the owner. */
export function handbackToOwner(ctx: PolicyContext): RuleOutcome {
  const out: RuleOutcome = { decisions: [], handoffs: [] };
  const m = mode(ctx, 'H4');
  const t = ctx.transition;
  const owner = ctx.owner;
  if (m === 'off' || !hasTier2(ctx.roles) || !t || t.direction !== 'handback' || !owner) return out;
  const ownerName = personName(owner.ownerId, ctx.directory, 'the owner');
  const target = { groupId: owner.ownerGroupId ?? t.to.groupId, assigneeId: owner.ownerId };
  if (t.to.assigneeId === target.assigneeId && t.to.groupId === target.groupId) {
    out.decisions.push(decision('H4', 'ok', t.actorId, `Tier 2 handed the ticket back to its owner ${ownerName}`));
    return out;
  }
  const key = actionKey(ctx, 'H4', ctx.changeAnchor, m === 'enforce' ? 'reassign' : 'privateNote');
  const guard = guardCorrection(ctx, 'H4', key, { since: t.at });
  if (guard === 'done') return out;
  if (guard === 'reversed') {
    out.decisions.push(reversedDecision('H4', t.actorId));
    return out;
  }
  const to = t.to.assigneeId ? personName(t.to.assigneeId, ctx.directory) : groupName(ctx.roles, t.to.groupId, ctx.directory);
  const note: PolicyAction = { kind: 'privateNote', idempotencyKey: actionKey(ctx, 'H4', ctx.changeAnchor, 'privateNote'), html: handbackNote(ownerName, m === 'enforce') };
  const summary = `Tier 2 handed the ticket back to ${to}, not to its owner ${ownerName}`;
  if (m === 'warn') {
    out.decisions.push(decision('H4', 'violation', t.actorId, summary, [note]));
    return out;
  }
  out.decisions.push(decision('H4', 'corrected', t.actorId, `${summary}; assigned to ${ownerName}`, [{ kind: 'reassign', idempotencyKey: key, ...target }, note]));
  out.handoffs.push(correctionHandoff(ctx, 'reassign', target));
  return out;
}

/** H5: every handoff kept, with the round trips so far. */
export function trailDecisions(ctx: PolicyContext, added: readonly Handoff[]): PolicyDecision[] {
  if (mode(ctx, 'H5') === 'off' || !hasTier2(ctx.roles)) return [];
  const roles = ctx.roles;
  return added.map((h, i) => {
    const trips = countRoundTrips([...ctx.input.history.handoffs, ...added.slice(0, i + 1)]);
    const who = personName(h.actorId, ctx.directory, 'someone');
    const from = h.fromAssigneeId ? `${groupName(roles, h.fromGroupId, ctx.directory)} (${personName(h.fromAssigneeId, ctx.directory)})` : groupName(roles, h.fromGroupId, ctx.directory);
    const to = h.toAssigneeId ? `${groupName(roles, h.toGroupId, ctx.directory)} (${personName(h.toAssigneeId, ctx.directory)})` : groupName(roles, h.toGroupId, ctx.directory);
    const comment = h.commentId ? `, with comment ${h.commentId}` : '';
    return decision('H5', 'info', h.actorId, `${h.direction} by ${who} from ${from} to ${to}${comment}; round trips so far: ${trips}`);
  });
}
