import type { Config } from '../config/schema';
import type { IssueTarget } from '../domain/actions';
import type { EntityRef, JiraIssue, Ticket } from '../domain/ticket';
import type { Logger } from '../logging/logger';
import { resolveRoles } from '../policy';
import { decideSla, isOpen, nextCheckOf, type BreachSettings, type SlaPlan } from '../sla/escalate';
import { planFixOverdue, readFixTarget } from '../sla/fix-target';
import { observeTicket } from '../sla/history';
import { readTargets } from '../sla/read';
import { slaSettingsFor } from '../sla/settings';
import { entityKeyOf, type InboxEvent, type Store } from '../store/types';
import type { VendorClients } from './clients';
import { HELPDESKS, type IssueHandler, type IssueInput, type TicketHandler, type TicketInput } from './dispatcher';
import type { Executor } from './executor';
import { SLA_CHECK_EVENT } from './sla-event';

export interface SlaHandlerDeps {
  store: Store;
  clients: VendorClients;
  executor: Executor;
  config: Pick<Config, 'sla' | 'policy' | 'mirror'>;
  now?: () => Date;
}

export { SLA_CHECK_EVENT };

/** Breaches further back than this before helpdesk-sync first kept a ticket are recorded, not escalated. */
const FIRST_SIGHT_GRACE_MS = 24 * 3_600_000;

/**
 * Service levels at the edge (S1-S3): on every fresh read of a ticket, whatever brought it (a
 * webhook, a poll, a backfill, the sla job), the ticket's SLA history is brought up to date,
 * the clock read, and a breach escalated or an overdue linked bug marked, once. Decisions are
 * recorded first (keyed), then the writes go through the executor (keyed), then the state is
 * kept: a crash anywhere repeats the step without repeating a write.
 */
export class SlaHandler implements TicketHandler {
  readonly name = 'sla';
  readonly route = { vendors: HELPDESKS };

  constructor(private readonly deps: SlaHandlerDeps) {}

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  async handle(input: TicketInput): Promise<void> {
    const { ticket, event, logger } = input;
    const { store, config } = this.deps;
    if (!config.sla.enabled) return;
    const settings = slaSettingsFor(config.sla, ticket.vendor, ticket.connectionId);
    if (!settings) return;
    const ref: EntityRef = { vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id };
    const kept = (await store.getSla(ref))?.state ?? null;
    const now = this.now();
    const history = observeTicket(kept?.history ?? null, ticket, input.previous, kept ? 'snapshot' : input.previousBasis);
    const { targets, calendar } = readTargets(history, ticket, settings, now);
    const { state, plan } = decideSla({ ticket, kept, history, targets, calendar, breach: await this.breachSettings(ticket), now });
    const fix = await this.fixTarget(ticket, ref, state.fix, now, logger);
    if (fix) {
      state.fix = fix.state;
      plan.actions.push(...fix.plan.actions);
      plan.decisions.push(...fix.plan.decisions);
    }
    await this.carryOut(plan, ticket, ref, event, now, logger);
    await store.saveSla({ ticket: ref, state, open: isOpen(ticket), nextCheckAt: nextCheckOf(state), updatedAt: now });
    for (const d of plan.decisions.filter((x) => x.verdict !== 'info')) logger.info(`${d.ruleId} ${d.verdict}`, { rule: d.ruleId, summary: d.summary });
  }

  /** S2's settings for this connection: the tag, and the manager group from the policy's roles. */
  private async breachSettings(ticket: Ticket): Promise<BreachSettings> {
    const { sla, policy } = this.deps.config;
    const roles = resolveRoles(policy, ticket.vendor, ticket.connectionId);
    const managerGroups = roles?.managerGroups ?? new Set<string>();
    const first = sla.escalation.reassignToManager ? [...managerGroups][0] : undefined;
    const names = first ? await this.deps.clients.groupNames(ticket.vendor, ticket.connectionId) : new Map<string, string>();
    return {
      tag: sla.escalation.tag,
      managerGroup: first ? { id: first, name: names.get(first) ?? `group ${first}` } : null,
      managerGroups,
      firstSightGraceMs: FIRST_SIGHT_GRACE_MS,
    };
  }

  /**
   * S3 for a ticket linked to a bug. The kept issue (the mirror keeps it current) says when the
   * target runs out; before marking, the issue is read fresh, so a bug fixed a minute ago is
   * not called overdue.
   */
  private async fixTarget(ticket: Ticket, ref: EntityRef, kept: SlaPlanFix['state'] | null, now: Date, logger: Logger): Promise<SlaPlanFix | null> {
    const { store, config } = this.deps;
    const link = await store.getLinkByTicket(ref);
    if (link?.state !== 'linked' || link.kind !== 'bug' || !link.issueId || !link.issueKey) return null;
    const issueRef: EntityRef = { vendor: 'jira', connectionId: link.jiraConnectionId, id: link.issueId };
    const snapshot = await store.getSnapshot(issueRef);
    let issue = snapshot && !snapshot.deleted ? (snapshot.data as JiraIssue) : null;
    const read = (i: JiraIssue) => readFixTarget(i, kept, config.sla.jiraFixTargets, config.mirror.doneStatuses);
    // Issues we raised have no kept state until Jira reports a change of someone else's (our
    // own create is an echo): read once, and the target is kept from then on.
    if (!issue && !kept) issue = await this.readIssue(link.jiraConnectionId, link.issueId, link.issueKey, logger);
    let state = issue ? read(issue) : kept;
    if (!state) return null;
    const due = state.dueAt && !state.doneAt && !state.markedAt && Date.parse(state.dueAt) <= now.getTime();
    if (due) {
      const fresh = await this.readIssue(link.jiraConnectionId, link.issueId, link.issueKey, logger);
      // Marking waits for the next look rather than judging a bug we could not read.
      if (!fresh) return { state, plan: { actions: [], decisions: [] } };
      state = read(fresh);
    }
    const target: IssueTarget = { connectionId: link.jiraConnectionId, id: link.issueId, key: link.issueKey };
    const label = `${ticket.vendor === 'freshdesk' ? 'Freshdesk' : 'Zendesk'} ticket #${ticket.id} (${ticket.url})`;
    const marked = planFixOverdue(state, ref, label, target, config.sla.fixOverdueLabel, now);
    return { state: marked.fix, plan: marked.plan };
  }

  private async readIssue(connectionId: string, issueId: string, issueKey: string, logger: Logger): Promise<JiraIssue | null> {
    const jira = this.deps.clients.jira(connectionId);
    if (!jira) return null;
    try {
      return await jira.getIssue(issueId);
    } catch (err) {
      logger.warn('S3: the linked issue could not be read; its fix target is looked at again later', { issueKey, error: (err as Error).message });
      return null;
    }
  }

  private async carryOut(plan: SlaPlan, ticket: Ticket, ref: EntityRef, event: InboxEvent, now: Date, logger: Logger): Promise<void> {
    const { store, executor } = this.deps;
    for (const d of plan.decisions) {
      const actions = plan.actions.filter((a) => d.actionKeys.includes(a.key)).map(decisionAction);
      await store.recordDecision({ ticket: ref, ruleId: d.ruleId, verdict: d.verdict, actorId: d.actorId, at: now, summary: d.summary, actions, eventId: event.id, key: d.key });
    }
    const moves = plan.actions.filter((a) => a.kind === 'helpdesk.update' && a.patch.groupId);
    for (const move of moves) await this.keepHandoff(ticket, ref, move.kind === 'helpdesk.update' ? (move.patch.groupId as string) : '', now);
    if (plan.actions.length) await executor.runAll(plan.actions, { ticket, logger });
  }

  /** H5: the breach's move to the manager is a handoff of the trail like any other (once). */
  private async keepHandoff(ticket: Ticket, ref: EntityRef, toGroupId: string, now: Date): Promise<void> {
    const trail = await this.deps.store.listHandoffs(ref);
    if (trail.some((h) => h.direction === 'escalate' && h.toGroupId === toGroupId && h.actorId === null && h.fromGroupId === ticket.groupId)) return;
    await this.deps.store.appendHandoff({
      ticket: ref,
      at: now,
      actorId: null,
      direction: 'escalate',
      fromGroupId: ticket.groupId,
      toGroupId,
      fromAssigneeId: ticket.assigneeId,
      toAssigneeId: null,
      commentId: null,
    });
  }
}

interface SlaPlanFix {
  state: NonNullable<ReturnType<typeof readFixTarget>>;
  plan: SlaPlan;
}

/**
 * How a write is listed in its decision. A move also in the shape of the policy engine's own
 * reassign, so the policy recognises its echo (M5) and the ladder sees a correction of ours.
 */
function decisionAction(a: SlaPlan['actions'][number]): Record<string, unknown> {
  if (a.kind === 'helpdesk.update' && a.patch.groupId) return { kind: 'reassign', idempotencyKey: a.key, groupId: a.patch.groupId, assigneeId: a.patch.assigneeId ?? null };
  if (a.kind === 'helpdesk.note') return { kind: 'privateNote', idempotencyKey: a.key, html: a.html };
  return { kind: a.kind, key: a.key };
}

/**
 * S3 on the Jira side: a linked bug whose priority or done-ness changed gets its ticket looked
 * at (a `sweep.sla` event on the ticket's own lane, so the ticket's SLA state is only ever
 * written in that ticket's order).
 */
export class IssueSlaHandler implements IssueHandler {
  readonly name = 'sla';
  readonly route = { vendors: ['jira'] as const };

  constructor(private readonly deps: Pick<SlaHandlerDeps, 'store' | 'config' | 'now'>) {}

  async handle(input: IssueInput): Promise<void> {
    const { issue, previous } = input;
    if (!this.deps.config.sla.enabled) return;
    // Without a previous state nothing says what changed; the ticket's own events and its due
    // time still bring the fix target up to date.
    if (!previous || (previous.priority === issue.priority && previous.status.name === issue.status.name)) return;
    const link = await this.deps.store.getLinkByIssue(issue.connectionId, issue.id);
    if (link?.state !== 'linked' || link.kind !== 'bug') return;
    const now = this.deps.now ? this.deps.now() : new Date();
    await this.deps.store.enqueue({
      vendor: link.ticket.vendor,
      connectionId: link.ticket.connectionId,
      entityKey: entityKeyOf('ticket', link.ticket.id),
      dedupeKey: `sla:issue:${issue.connectionId}:${issue.id}:${issue.updated}`,
      dedupeWindowMs: null,
      eventType: SLA_CHECK_EVENT,
      source: 'poll',
      payload: { sla: 'issue_changed', issueKey: issue.key, at: now.toISOString() },
      headers: {},
      // The inbox keeps real time; `now` is the clock the rules judge by.
      receivedAt: new Date(),
    });
  }
}
