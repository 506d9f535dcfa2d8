import type { Decision, Handoff } from '../store/types';
import { buildContext, handoffOf, type PolicyContext } from './context';
import { contextComment, contextFirst, groupOnly, handbackToOwner, tier2Private, trailDecisions } from './handoff';
import { consults, knowledgeCapture, ladder, requesterContact } from './ladder';
import { ownership } from './ownership';
import { triage } from './triage';
import type { PolicyInput, PolicyResult } from './types';

/** The comment that went with a handoff: the newest new private note, else H1's context comment. */
function handoffComment(ctx: PolicyContext): string | null {
  const fresh = [...ctx.newComments].reverse().find((c) => !c.public && !c.incoming);
  return fresh?.id ?? contextComment(ctx)?.id ?? null;
}

/**
 * The escalation policy, pure: (the ticket now, what changed, what we keep about it, the
 * connection's roles, settings, now) -> decisions with the actions they need, the owner to
 * store and the handoffs to append. Nothing here reads a clock, a store or a vendor.
 *
 * M5 comes first: a change made by helpdesk-sync itself (its API user, or its signed notes)
 * is never judged as an agent's action.
 */
export function evaluate(input: PolicyInput): PolicyResult {
  const ctx = buildContext(input);
  const result: PolicyResult = { ticket: ctx.ref, decisions: [], ownerUpdate: null, handoffs: [], echo: false };
  const actorIsUs = input.actorId !== null && !!input.roles?.integrationUserIds.has(input.actorId);
  if (actorIsUs && ctx.newComments.length === 0) return { ...result, echo: true };

  const added: Handoff[] = [];
  const agentHandoff = ctx.transition ? handoffOf(ctx, ctx.transition, handoffComment(ctx)) : null;
  if (agentHandoff) {
    added.push(agentHandoff);
    ctx.handoffs.push(agentHandoff);
  }

  // E1/H6 before the rules that need to know the owner.
  const owned = ownership(ctx);
  if (owned.ownerUpdate) {
    result.ownerUpdate = owned.ownerUpdate;
    ctx.owner = owned.ownerUpdate;
  }
  result.decisions.push(...owned.decisions);

  if (!actorIsUs) result.decisions.push(...triage(ctx));

  const e2 = ladder(ctx);
  const e3 = consults(ctx);
  const h4 = handbackToOwner(ctx);
  result.decisions.push(
    ...e2.decisions,
    ...e3.decisions,
    ...requesterContact(ctx),
    ...(actorIsUs ? [] : knowledgeCapture(ctx)),
    ...contextFirst(ctx),
    ...groupOnly(ctx),
    ...tier2Private(ctx),
    ...h4.decisions,
  );
  added.push(...e2.handoffs, ...e3.handoffs, ...h4.handoffs);
  result.decisions.push(...trailDecisions(ctx, added));
  result.handoffs = added;
  return result;
}

/**
 * Every decision becomes an audit entry (docs/rules.md, "Modes, notes and the audit trail": rule, ticket, actor, time,
 * verdict, actions). The actions keep their idempotency keys, which is how the next
 * evaluation knows what was already corrected. Record them after the actions ran.
 */
export function auditDecisions(result: PolicyResult, at: Date, eventId: number | null): Decision[] {
  return result.decisions.map((d) => ({
    ticket: result.ticket,
    ruleId: d.ruleId,
    verdict: d.verdict,
    actorId: d.actorId,
    at,
    summary: d.summary,
    actions: d.actions,
    eventId,
  }));
}
