import type { EntityRef, Ticket, TicketComment } from '../domain/ticket';
import type { Handoff, HandoffDirection, TicketOwner } from '../store/types';
import { actionsOf, isEchoOfCorrection, isOwnComment } from './echo';
import { holderRole, holdersOfTrail, modeOf, personRoleOnTicket, type Holder } from './roles';
import type { ConnectionRoles, Directory, PolicyAction, PolicyDecision, PolicyInput, PolicyRuleId, PolicySettings, Role, RuleMode } from './types';

/** A change of who holds the ticket, judged by E2, E3, H1, H2 and H4 and kept by H5. */
export interface Transition {
  from: Holder;
  to: Holder;
  fromRole: Role;
  toRole: Role;
  /** null: not a handoff (a claim, or a pull inside one group). */
  direction: HandoffDirection | null;
  actorId: string | null;
  at: Date;
}

export interface PolicyContext {
  input: PolicyInput;
  ticket: Ticket;
  previous: Ticket | null;
  ref: EntityRef;
  roles: ConnectionRoles | null;
  settings: PolicySettings;
  now: Date;
  /** The vendor's time of this change: deterministic across retries, unlike `now`. */
  changedAt: Date;
  /** Anchor of idempotency keys for decisions about this change. */
  changeAnchor: string;
  actorId: string | null;
  /** M5: the group/assignee change is helpdesk-sync's own correction coming back. */
  fieldsAreOwn: boolean;
  /** New comments that are not helpdesk-sync's own (M5), oldest first. */
  newComments: TicketComment[];
  directory: Directory;
  transition: Transition | null;
  /** The trail so far, including handoffs appended during this evaluation. */
  handoffs: Handoff[];
  owner: TicketOwner | null;
  /** The integration user corrections are attributed to in the trail. */
  integrationId: string | null;
}

export function mode(ctx: PolicyContext, rule: PolicyRuleId): RuleMode {
  return modeOf(rule, ctx.settings, ctx.roles);
}

export function actionKey(ctx: PolicyContext, rule: PolicyRuleId, anchor: string, kind: PolicyAction['kind']): string {
  const { vendor, connectionId, id } = ctx.ref;
  return `policy:${vendor}:${connectionId}:${id}:${rule}:${anchor}:${kind}`;
}

export function decision(
  rule: PolicyRuleId,
  verdict: PolicyDecision['verdict'],
  actorId: string | null,
  summary: string,
  actions: PolicyAction[] = [],
): PolicyDecision {
  return { ruleId: rule, verdict, actorId, summary: `${rule}: ${summary}`, actions };
}

export type GuardOutcome = 'act' | 'done' | 'reversed';

/**
 * Never fight an agent, never repeat ourselves. `done`: this very correction (same key) was
 * already decided: a retry, or the change is still on its way. `reversed`: this rule already
 * corrected the ticket within the scope (the current handoff or consult) and an agent undid
 * it; the engine records that and stops: at most one correction per rule per scope.
 */
export function guardCorrection(
  ctx: PolicyContext,
  rule: PolicyRuleId,
  key: string,
  scope: { since: Date | null } | null,
  undoneNow = false,
): GuardOutcome {
  const priors = ctx.input.history.decisions.filter((d) => d.ruleId === rule);
  if (priors.some((d) => actionsOf(d).some((a) => a.idempotencyKey === key))) return undoneNow ? 'reversed' : 'done';
  if (scope === null) return 'act';
  const since = scope.since;
  const corrected = priors.some((d) => d.verdict === 'corrected' && (since === null || d.at.getTime() >= since.getTime()));
  return corrected ? 'reversed' : 'act';
}

export function reversedDecision(rule: PolicyRuleId, actorId: string | null): PolicyDecision {
  return decision(rule, 'violation', actorId, 'reversed by agent; not corrected again');
}

export function roleOf(ctx: PolicyContext, personId: string | null): Role {
  if (!ctx.roles) return 'unknown';
  const holders: Holder[] = [
    ...holdersOfTrail(ctx.handoffs),
    ...(ctx.previous ? [{ groupId: ctx.previous.groupId, assigneeId: ctx.previous.assigneeId }] : []),
    { groupId: ctx.ticket.groupId, assigneeId: ctx.ticket.assigneeId },
  ];
  return personRoleOnTicket(ctx.roles, personId, holders, ctx.directory);
}

export function roleOfHolder(ctx: PolicyContext, holder: Holder): Role {
  return ctx.roles ? holderRole(ctx.roles, holder, ctx.directory) : 'unknown';
}

/** Names the ticket itself carries (assignee, authors) complete the worker's directory. */
function enrichDirectory(ticket: Ticket, previous: Ticket | null, directory: Directory | undefined): Directory {
  const people: NonNullable<Directory['people']> = {};
  const add = (id: string | null | undefined, name: string | null | undefined): void => {
    if (!id || !name || people[id]?.name) return;
    people[id] = { ...people[id], name };
  };
  for (const t of [previous, ticket]) {
    if (!t) continue;
    add(t.assignee?.id, t.assignee?.name);
    for (const c of t.comments) add(c.author?.id, c.author?.name);
  }
  for (const [id, entry] of Object.entries(directory?.people ?? {})) {
    people[id] = { ...entry, name: entry.name ?? people[id]?.name ?? null };
  }
  return { people, groups: directory?.groups ?? {} };
}

function directionOf(fromRole: Role, toRole: Role, from: Holder, to: Holder): HandoffDirection | null {
  if (fromRole === toRole) {
    if (from.groupId !== to.groupId && from.groupId !== null) return 'reassign';
    if (toRole === 'frontline' && from.assigneeId !== null && to.assigneeId !== null) return 'reassign';
    return null;
  }
  if (toRole === 'sme') return 'consult';
  if (toRole === 'manager' || toRole === 'firstEscalation') return 'escalate';
  if (toRole === 'frontline') {
    if (fromRole === 'firstEscalation') return 'handback';
    if (fromRole === 'manager' || fromRole === 'sme') return 'return';
    if (from.groupId === null && from.assigneeId === null) return null;
  }
  return 'reassign';
}

function parseDate(value: string, fallback: Date): Date {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? fallback : d;
}

export function buildContext(input: PolicyInput): PolicyContext {
  const { ticket, previous, changes, roles, history } = input;
  const ref: EntityRef = { vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id };
  const changedAt = parseDate(ticket.updatedAt, input.now);
  const directory = enrichDirectory(ticket, previous, input.directory);
  const newComments = changes.newComments.filter((c) => !isOwnComment(c, roles));
  const actorIsUs = input.actorId !== null && !!roles?.integrationUserIds.has(input.actorId);
  const from: Holder = { groupId: previous?.groupId ?? null, assigneeId: previous?.assigneeId ?? null };
  const to: Holder = { groupId: ticket.groupId, assigneeId: ticket.assigneeId };
  const holderChanged = !!previous && (from.groupId !== to.groupId || from.assigneeId !== to.assigneeId);
  const lastHandoff = history.handoffs[history.handoffs.length - 1];
  const recentDecisions = history.decisions.filter((d) => !lastHandoff || d.at.getTime() >= lastHandoff.at.getTime());
  const fieldsAreOwn = actorIsUs || (input.actorId === null && holderChanged && isEchoOfCorrection(recentDecisions, from, to));
  const actorId = input.actorId ?? [...newComments].reverse().find((c) => !c.incoming)?.authorId ?? null;
  const ctx: PolicyContext = {
    input,
    ticket,
    previous,
    ref,
    roles,
    settings: input.settings,
    now: input.now,
    changedAt,
    changeAnchor: ticket.updatedAt,
    actorId,
    fieldsAreOwn,
    newComments,
    directory,
    transition: null,
    handoffs: [...history.handoffs],
    owner: history.owner,
    integrationId: roles ? ([...roles.integrationUserIds][0] ?? null) : null,
  };
  if (roles && holderChanged && !fieldsAreOwn) {
    const fromRole = roleOfHolder(ctx, from);
    const toRole = roleOfHolder(ctx, to);
    ctx.transition = { from, to, fromRole, toRole, direction: directionOf(fromRole, toRole, from, to), actorId, at: changedAt };
  }
  return ctx;
}

/** H5: the handoff a transition makes, unless the trail already holds it (a retried event). */
export function handoffOf(ctx: PolicyContext, t: Transition, commentId: string | null): Handoff | null {
  if (t.direction === null) return null;
  const h: Handoff = {
    ticket: ctx.ref,
    at: t.at,
    actorId: t.actorId,
    direction: t.direction,
    fromGroupId: t.from.groupId,
    toGroupId: t.to.groupId,
    fromAssigneeId: t.from.assigneeId,
    toAssigneeId: t.to.assigneeId,
    commentId,
  };
  const seen = ctx.handoffs.some(
    (o) => o.at.getTime() === h.at.getTime() && o.direction === h.direction && o.toGroupId === h.toGroupId && o.toAssigneeId === h.toAssigneeId,
  );
  return seen ? null : h;
}

/** A correction that moves the ticket is a handoff too, made by helpdesk-sync (H5). */
export function correctionHandoff(ctx: PolicyContext, direction: HandoffDirection, to: Holder): Handoff {
  return {
    ticket: ctx.ref,
    at: ctx.now,
    actorId: ctx.integrationId,
    direction,
    fromGroupId: ctx.ticket.groupId,
    toGroupId: to.groupId,
    fromAssigneeId: ctx.ticket.assigneeId,
    toAssigneeId: to.assigneeId,
    commentId: null,
  };
}

export function hasTag(ticket: Ticket, tags: readonly string[]): boolean {
  const lower = new Set(tags.map((t) => t.toLowerCase()));
  return ticket.tags.some((t) => lower.has(t.toLowerCase()));
}

export function hoursBetween(a: Date, b: Date): number {
  return (b.getTime() - a.getTime()) / 3_600_000;
}
