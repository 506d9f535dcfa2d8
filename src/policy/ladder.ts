import type { Handoff } from '../store/types';
import {
  actionKey,
  correctionHandoff,
  decision,
  guardCorrection,
  hasTag,
  hoursBetween,
  mode,
  reversedDecision,
  roleOf,
  roleOfHolder,
  type PolicyContext,
} from './context';
import { actionsOf, isOwnComment } from './echo';
import { KNOWLEDGE_TITLES, missingKnowledge } from './knowledge';
import { consultReturnNote, knowledgeGapNote, ladderNote, ownerContactNote, reviewNoteMissingNote } from './notes';
import { groupName, hasLadder, hasTier2, personName } from './roles';
import type { PolicyAction, PolicyDecision, Role } from './types';

export interface RuleOutcome {
  decisions: PolicyDecision[];
  handoffs: Handoff[];
}

const ESCALATED: ReadonlySet<Role> = new Set(['firstEscalation', 'manager', 'sme']);

function isComplaint(ctx: PolicyContext): boolean {
  const s = ctx.settings;
  const type = ctx.ticket.type?.toLowerCase() ?? null;
  return hasTag(ctx.ticket, [...s.complaintTags, ...s.highRiskTags, ...s.sensitiveTags]) || (type !== null && s.complaintTypes.some((t) => t.toLowerCase() === type));
}

/** S2 recorded a breach of the ticket's service level: one of the ladder's reasons to go up. */
function breachedSla(ctx: PolicyContext): boolean {
  return ctx.input.history.decisions.some((d) => d.ruleId === 'S2' && (d.verdict === 'violation' || d.verdict === 'corrected'));
}

function hadFirstEscalation(ctx: PolicyContext): boolean {
  return ctx.handoffs.some(
    (h) =>
      roleOfHolder(ctx, { groupId: h.toGroupId, assigneeId: h.toAssigneeId }) === 'firstEscalation' ||
      roleOfHolder(ctx, { groupId: h.fromGroupId, assigneeId: h.fromAssigneeId }) === 'firstEscalation',
  );
}

/** The ticket is moved on from exactly where an E2 correction of this episode put it. */
function undoesCorrection(ctx: PolicyContext, from: { groupId: string | null; assigneeId: string | null }): boolean {
  const since = lastReturnToFrontline(ctx);
  return ctx.input.history.decisions.some(
    (d) =>
      d.ruleId === 'E2' &&
      d.verdict === 'corrected' &&
      (since === null || d.at.getTime() >= since.getTime()) &&
      actionsOf(d).some((a) => a.kind === 'reassign' && a.groupId === from.groupId && a.assigneeId === from.assigneeId),
  );
}

/** Where the current escalation episode began: the last time the ticket came back to frontline. */
function lastReturnToFrontline(ctx: PolicyContext): Date | null {
  const back = [...ctx.handoffs].reverse().find((h) => h.direction === 'handback' || h.direction === 'return');
  return back ? back.at : null;
}

/**
 * E2: the first escalation goes to the first-escalation tier; straight from frontline to the
 * manager only for a complaint, high-risk or sensitive ticket, a breached service level (S2),
 * or once that tier had it.
 */
export function ladder(ctx: PolicyContext): RuleOutcome {
  const out: RuleOutcome = { decisions: [], handoffs: [] };
  const m = mode(ctx, 'E2');
  const t = ctx.transition;
  if (m === 'off' || !hasLadder(ctx.roles) || !t) return out;
  const roles = ctx.roles;
  if (t.toRole === 'manager' && t.fromRole === 'firstEscalation' && undoesCorrection(ctx, t.from)) {
    out.decisions.push(reversedDecision('E2', t.actorId));
    return out;
  }
  if (t.fromRole !== 'frontline') return out;
  const firstName = roles.firstEscalationGroup ? groupName(roles, roles.firstEscalationGroup, ctx.directory) : 'the first-escalation team';
  if (t.toRole === 'firstEscalation') {
    out.decisions.push(decision('E2', 'ok', t.actorId, `first escalation goes to ${firstName}`));
    return out;
  }
  if (t.toRole !== 'manager') return out;
  const managerName = t.to.assigneeId ? personName(t.to.assigneeId, ctx.directory, 'the manager') : groupName(roles, t.to.groupId, ctx.directory);
  if (isComplaint(ctx)) {
    out.decisions.push(decision('E2', 'ok', t.actorId, `straight to ${managerName}: the ticket is a complaint, high-risk or sensitive`));
    return out;
  }
  if (breachedSla(ctx)) {
    out.decisions.push(decision('E2', 'ok', t.actorId, `to ${managerName}: the ticket breached its service level (S2)`));
    return out;
  }
  if (hadFirstEscalation(ctx)) {
    out.decisions.push(decision('E2', 'ok', t.actorId, `to ${managerName} after ${firstName} had the ticket`));
    return out;
  }
  const canMove = m === 'enforce' && roles.firstEscalationGroup !== null;
  const key = actionKey(ctx, 'E2', ctx.changeAnchor, canMove ? 'reassign' : 'privateNote');
  const guard = guardCorrection(ctx, 'E2', key, { since: lastReturnToFrontline(ctx) });
  if (guard === 'done') return out;
  if (guard === 'reversed') {
    out.decisions.push(reversedDecision('E2', t.actorId));
    return out;
  }
  const note: PolicyAction = { kind: 'privateNote', idempotencyKey: actionKey(ctx, 'E2', ctx.changeAnchor, 'privateNote'), html: ladderNote(managerName, firstName, canMove) };
  const summary = `escalated straight from frontline to ${managerName}, skipping ${firstName}`;
  if (!canMove || roles.firstEscalationGroup === null) {
    out.decisions.push(decision('E2', 'violation', t.actorId, summary, [note]));
    return out;
  }
  const target = { groupId: roles.firstEscalationGroup, assigneeId: null };
  out.decisions.push(decision('E2', 'corrected', t.actorId, `${summary}; moved to ${firstName}`, [{ kind: 'reassign', idempotencyKey: key, ...target }, note]));
  out.handoffs.push(correctionHandoff(ctx, 'escalate', target));
  return out;
}

/** The handoff that started the current consult (to the manager or an SME), if the trail has it. */
function consultStart(ctx: PolicyContext): Date | null {
  const start = [...ctx.handoffs].reverse().find((h) => {
    const role = roleOfHolder(ctx, { groupId: h.toGroupId, assigneeId: h.toAssigneeId });
    return role === 'manager' || role === 'sme';
  });
  return start ? start.at : null;
}

/**
 * E3: a ticket with the manager or an SME for review goes back to its owner once the reviewer
 * left a private note and tagged the review done, or when the consult window runs out.
 */
export function consults(ctx: PolicyContext): RuleOutcome {
  const out: RuleOutcome = { decisions: [], handoffs: [] };
  const m = mode(ctx, 'E3');
  const owner = ctx.owner;
  if (m === 'off' || !hasLadder(ctx.roles) || !owner || ctx.fieldsAreOwn) return out;
  const { ticket } = ctx;
  const role = roleOfHolder(ctx, { groupId: ticket.groupId, assigneeId: ticket.assigneeId });
  if ((role !== 'manager' && role !== 'sme') || ticket.assigneeId === owner.ownerId) return out;
  const reviewerId = ticket.assigneeId;
  const reviewer = personName(reviewerId, ctx.directory, role === 'manager' ? 'the manager' : 'the expert');
  const ownerName = personName(owner.ownerId, ctx.directory, 'the owner');
  const start = consultStart(ctx);
  const tag = ctx.settings.reviewDoneTag;
  const tagged = ticket.tags.includes(tag);
  const reviewNote = ticket.comments.find((c) => {
    if (c.public || isOwnComment(c, ctx.roles)) return false;
    if (start !== null && new Date(c.createdAt).getTime() < start.getTime()) return false;
    const author = roleOf(ctx, c.authorId);
    return (reviewerId !== null && c.authorId === reviewerId) || author === 'manager' || author === 'sme';
  });
  if (tagged && !reviewNote) {
    if (ctx.input.changes.tagsAdded.includes(tag)) {
      const html = reviewNoteMissingNote(reviewer, tag);
      out.decisions.push(
        decision('E3', 'violation', ctx.actorId, `review marked ${tag} without a private note from ${reviewer}`, [
          { kind: 'privateNote', idempotencyKey: actionKey(ctx, 'E3', ctx.changeAnchor, 'privateNote'), html },
        ]),
      );
    }
    return out;
  }
  const expired = start !== null && hoursBetween(start, ctx.now) >= ctx.settings.consultWindowHours;
  const reason = tagged && reviewNote ? 'done' : expired ? 'window' : null;
  if (reason === null) return out;
  const anchor = `consult:${start?.toISOString() ?? 'unknown'}`;
  const canMove = m === 'enforce';
  const key = actionKey(ctx, 'E3', anchor, canMove ? 'reassign' : 'privateNote');
  const guard = guardCorrection(ctx, 'E3', key, { since: start });
  if (guard === 'done') return out;
  if (guard === 'reversed') {
    out.decisions.push(reversedDecision('E3', ctx.actorId));
    return out;
  }
  const hours = ctx.settings.consultWindowHours;
  const note: PolicyAction = { kind: 'privateNote', idempotencyKey: actionKey(ctx, 'E3', anchor, 'privateNote'), html: consultReturnNote(reviewer, ownerName, reason, hours, canMove) };
  const why = reason === 'done' ? `${reviewer} finished the review` : `the ${hours}-hour consult window with ${reviewer} ran out`;
  if (!canMove) {
    out.decisions.push(decision('E3', 'violation', ctx.actorId, `${why}; the ticket should go back to ${ownerName}`, [note]));
    return out;
  }
  const target = { groupId: owner.ownerGroupId ?? ticket.groupId, assigneeId: owner.ownerId };
  const actions: PolicyAction[] = [{ kind: 'reassign', idempotencyKey: key, ...target }];
  if (tagged) actions.push({ kind: 'removeTag', idempotencyKey: actionKey(ctx, 'E3', anchor, 'removeTag'), tag });
  actions.push(note);
  out.decisions.push(decision('E3', 'corrected', ctx.actorId, `${why}; returned to the owner ${ownerName}`, actions));
  out.handoffs.push(correctionHandoff(ctx, 'return', target));
  return out;
}

/**
 * E4: while the ticket is escalated, only its owner replies to the requester. A public reply
 * cannot be undone, so it is recorded and the owner told. Tier 2 replies are H3's where the
 * handoff rules apply.
 */
export function requesterContact(ctx: PolicyContext): PolicyDecision[] {
  const owner = ctx.owner;
  if (mode(ctx, 'E4') === 'off' || !hasLadder(ctx.roles) || !owner) return [];
  if (ctx.ticket.tags.includes(ctx.settings.ownershipTransferredTag)) return [];
  const { ticket, previous } = ctx;
  const nowRole = roleOfHolder(ctx, { groupId: ticket.groupId, assigneeId: ticket.assigneeId });
  const beforeRole = previous ? roleOfHolder(ctx, { groupId: previous.groupId, assigneeId: previous.assigneeId }) : 'unknown';
  if (!ESCALATED.has(nowRole) && !ESCALATED.has(beforeRole)) return [];
  const out: PolicyDecision[] = [];
  for (const c of ctx.newComments) {
    if (!c.public || c.incoming || c.authorId === null || c.authorId === owner.ownerId) continue;
    if (c.author?.role === 'end-user') continue;
    const authorRole = roleOf(ctx, c.authorId);
    if (hasTier2(ctx.roles) && authorRole === 'firstEscalation' && mode(ctx, 'H3') !== 'off') continue;
    const author = personName(c.authorId, ctx.directory);
    const ownerName = personName(owner.ownerId, ctx.directory, 'the owner');
    out.push(
      decision('E4', 'violation', c.authorId, `${author} replied to the requester while the ticket was escalated; the owner is ${ownerName}`, [
        { kind: 'privateNote', idempotencyKey: actionKey(ctx, 'E4', `comment:${c.id}`, 'privateNote'), html: ownerContactNote(author, ownerName, ctx.settings.ownershipTransferredTag) },
      ]),
    );
  }
  return out;
}

const DONE = new Set(['resolved', 'closed']);

/**
 * E5: an escalated ticket, once resolved, carries outcome, root cause and missing
 * documentation. A gap is a violation (the knowledge-gap report reads these) and a note to
 * the owner.
 */
export function knowledgeCapture(ctx: PolicyContext): PolicyDecision[] {
  if (mode(ctx, 'E5') === 'off' || !hasLadder(ctx.roles)) return [];
  const status = ctx.input.changes.status;
  if (!status || !DONE.has(status.to) || (status.from !== null && DONE.has(status.from))) return [];
  const { previous, ticket } = ctx;
  const holders = [
    ...ctx.handoffs.flatMap((h) => [{ groupId: h.toGroupId, assigneeId: h.toAssigneeId }]),
    ...(previous ? [{ groupId: previous.groupId, assigneeId: previous.assigneeId }] : []),
    { groupId: ticket.groupId, assigneeId: ticket.assigneeId },
  ];
  if (!holders.some((h) => ESCALATED.has(roleOfHolder(ctx, h)))) return [];
  const missing = missingKnowledge(ticket, ctx.settings);
  if (missing.length === 0) return [decision('E5', 'ok', ctx.actorId, 'resolved with outcome, root cause and missing documentation captured')];
  const titles = missing.map((p) => KNOWLEDGE_TITLES[p]);
  const ownerName = personName(ctx.owner?.ownerId ?? null, ctx.directory, 'Owner');
  return [
    decision('E5', 'violation', ctx.actorId, `knowledge gap: resolved without ${titles.join(', ').toLowerCase()}`, [
      { kind: 'privateNote', idempotencyKey: actionKey(ctx, 'E5', `resolved:${ctx.changeAnchor}`, 'privateNote'), html: knowledgeGapNote(ownerName, titles) },
    ]),
  ];
}
