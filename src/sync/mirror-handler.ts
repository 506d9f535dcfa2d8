import type { JiraIssuesConfig, MirrorConfig, PolicyConfig } from '../config/schema';
import type { DecisionDraft, Plan } from '../domain/actions';
import type { EntityRef, JiraIssue, Ticket } from '../domain/ticket';
import type { Logger } from '../logging/logger';
import { mirrorIssueToTicket, mirrorTicketToIssue, reconcilePair, statusMapFor, type LedgerView, type MirrorIdentity, type MirrorSettings, type Pair } from '../mirror';
import type { InboxEvent, Store, TicketLink } from '../store/types';
import type { VendorClients } from './clients';
import { SLA_CHECK_EVENT } from './sla-event';
import { HELPDESKS, isSweep, isReconcile, type IssueHandler, type IssueInput, type TicketHandler, type TicketInput } from './dispatcher';
import type { ExecutionContext, Executor } from './executor';
import { PermanentEventError } from './errors';

export interface MirrorDeps {
  store: Store;
  clients: VendorClients;
  executor: Executor;
  mirror: MirrorConfig;
  jiraIssues: JiraIssuesConfig;
  policy: PolicyConfig;
  now?: () => Date;
}

/**
 * Rules M1-M6 at the edge: gathers the pair (link, owner, the ledger of what we wrote for it)
 * and the other side's last known state, asks the pure mirror what to write, records its
 * decisions and hands the writes to the executor.
 */
class MirrorEdge {
  constructor(protected readonly deps: MirrorDeps) {}

  protected now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  protected settings(ticket: EntityRef): MirrorSettings {
    return {
      config: this.deps.mirror,
      priorityMap: this.deps.jiraIssues.priorityMap,
      statusMap: ticket.vendor === 'jira' ? {} : statusMapFor(this.deps.mirror, ticket.vendor, ticket.connectionId),
    };
  }

  protected identity(ticket: EntityRef): MirrorIdentity {
    const roles = this.deps.policy.roles[`${ticket.vendor}/${ticket.connectionId}`];
    return { helpdeskUserIds: new Set(roles?.integrationUserIds ?? []), jiraAccountIds: new Set(this.deps.mirror.jiraIntegrationAccountIds) };
  }

  protected async pair(link: TicketLink): Promise<Pair> {
    const owner = await this.deps.store.getOwner(link.ticket);
    const writes = await this.deps.store.listExecutedActions({ ticket: link.ticket });
    return {
      ticket: link.ticket,
      issue: { connectionId: link.jiraConnectionId, id: link.issueId as string, key: link.issueKey as string },
      // Reserved just before the issue was composed: older comments are in its description (J2).
      linkedAt: link.createdAt.toISOString(),
      owner: owner ? { ownerId: owner.ownerId, ownerGroupId: owner.ownerGroupId } : null,
      writes: writes.map(
        (w): LedgerView => ({ key: w.idempotencyKey, kind: w.kind, ruleId: w.ruleId ?? null, resultId: w.resultId ?? null, targetVendor: w.target?.vendor ?? null, at: w.at.toISOString(), state: w.state ?? 'done' }),
      ),
    };
  }

  protected async snapshotOf<T>(ref: EntityRef): Promise<T | null> {
    const s = await this.deps.store.getSnapshot(ref);
    return s && !s.deleted ? (s.data as T) : null;
  }

  /** Decisions first (keyed, so a retry records them once), then the writes. */
  protected async carryOut(plan: Plan, pair: Pair, event: InboxEvent, ctx: ExecutionContext): Promise<void> {
    let n = 0;
    for (const d of plan.decisions) {
      n += 1;
      await this.deps.store.recordDecision({
        ticket: pair.ticket,
        ruleId: d.ruleId,
        verdict: d.verdict,
        actorId: d.actorId,
        at: this.now(),
        summary: d.summary,
        actions: plan.actions.filter((a) => d.actionKeys.includes(a.key)).map((a) => ({ kind: a.kind, key: a.key })),
        eventId: event.id,
        key: decisionKey(d, event, n),
      });
    }
    const outcomes = await this.deps.executor.runAll(plan.actions, ctx);
    for (const [key, outcome] of outcomes) {
      if (outcome.status !== 'impossible') continue;
      const action = plan.actions.find((a) => a.key === key);
      ctx.logger.warn(`${action?.rule ?? 'M'}: write not possible`, { key, reason: outcome.reason });
      await this.deps.store.recordDecision({
        ticket: pair.ticket,
        ruleId: action?.rule ?? 'M4',
        verdict: 'violation',
        actorId: null,
        at: this.now(),
        summary: outcome.reason,
        actions: [],
        eventId: event.id,
        key: `impossible:${key}`,
      });
    }
    if (plan.actions.length) ctx.logger.info('mirrored', { writes: plan.actions.map((a) => `${a.rule} ${a.kind}`) });
  }
}

/**
 * The status our own last write set since the state was kept. Its webhook was finished unread
 * (M5), so the kept state predates it: judged against it, our own move would look like a
 * person's, and a person's next move back (a second Resolve) like no change at all.
 */
function ourLatestStatus(pair: Pair, kind: 'jira.transition', savedAt: Date | null): string | null {
  const mine = pair.writes.filter((w) => w.kind === kind && w.state !== 'started' && w.resultId && (savedAt === null || Date.parse(w.at) >= savedAt.getTime()));
  return mine[mine.length - 1]?.resultId ?? null;
}

function withOurStatus<T>(previous: T | null, status: string | null, set: (previous: T, status: string) => T): T | null {
  return previous && status ? set(previous, status) : previous;
}

function decisionKey(d: DecisionDraft, event: InboxEvent, n: number): string {
  return d.actionKeys.length ? `mirror:${d.ruleId}:${d.actionKeys.join('+')}` : `mirror:${d.ruleId}:${event.id}:${n}`;
}

/** Helpdesk to Jira (M3, M4, priority) on ticket events, and the whole pair on a reconcile (M6). */
export class TicketMirrorHandler extends MirrorEdge implements TicketHandler {
  readonly name = 'mirror';
  // The sla job's look reads the ticket fresh and keeps it as the new snapshot: a comment it
  // finds must be mirrored then, or no later diff would show it.
  readonly route = { vendors: HELPDESKS, eventTypes: (t: string) => !isSweep(t) || t === SLA_CHECK_EVENT };

  async handle(input: TicketInput): Promise<void> {
    if (!this.deps.mirror.enabled) return;
    const { ticket, event, logger } = input;
    const ref: EntityRef = { vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id };
    const link = await this.deps.store.getLinkByTicket(ref);
    if (link?.state !== 'linked' || !link.issueId) return;
    const pair = await this.pair(link);
    const issueRef: EntityRef = { vendor: 'jira', connectionId: link.jiraConnectionId, id: link.issueId };
    if (isReconcile(event.eventType)) {
      const jira = this.deps.clients.jira(link.jiraConnectionId);
      if (!jira) throw new PermanentEventError(`M6: jira connection "${link.jiraConnectionId}" has no API credentials`);
      const issue = await jira.getIssue(link.issueId);
      const plan = reconcilePair({ pair, ticket, issue, settings: this.settings(ref), identity: this.identity(ref), now: this.now() });
      for (const d of plan.drift) logger.info(`M6: ${d.field} drift ${d.repaired ? 'repaired' : 'reported'}`, { ...d, issueKey: issue.key });
      await this.carryOut(plan, pair, event, { ticket, issue, logger });
      return;
    }
    // The ticket's kept state is not overlaid with our own status writes as the issue's is:
    // those are made while processing the issue, and may land after the ticket's next event.
    const plan = mirrorTicketToIssue({
      pair,
      ticket,
      previous: input.previous,
      previousSavedAt: input.previousSavedAt?.toISOString() ?? null,
      changes: input.changes,
      issue: await this.snapshotOf<JiraIssue>(issueRef),
      actorId: input.facts?.actorId ?? null,
      settings: this.settings(ref),
      identity: this.identity(ref),
      now: this.now(),
    });
    await this.carryOut(plan, pair, event, { ticket, logger });
  }
}

/** Jira to helpdesk (M1, M2, the owner's return) on issue events. */
export class IssueMirrorHandler extends MirrorEdge implements IssueHandler {
  readonly name = 'mirror';
  readonly route = { vendors: ['jira'] as const };

  async handle(input: IssueInput): Promise<void> {
    if (!this.deps.mirror.enabled) return;
    const { issue, event, logger } = input;
    const link = await this.deps.store.getLinkByIssue(issue.connectionId, issue.id);
    if (link?.state !== 'linked') return;
    const pair = await this.pair(link);
    const previous = withOurStatus(input.previous, ourLatestStatus(pair, 'jira.transition', input.previousSavedAt), (i, name) => ({
      ...i,
      status: { id: null, name, categoryKey: null },
    }));
    const planOn = (ticket: Ticket | null) =>
      mirrorIssueToTicket({
        pair,
        issue,
        previous,
        previousSavedAt: input.previousSavedAt?.toISOString() ?? null,
        ticket,
        actorId: input.facts?.actorId ?? null,
        settings: this.settings(link.ticket),
        identity: this.identity(link.ticket),
        now: this.now(),
      });
    let plan = planOn(await this.snapshotOf<Ticket>(link.ticket));
    // A status write decided on the kept ticket may be behind the helpdesk: the agent may have
    // solved the ticket meanwhile, its own event still in the inbox. Such a write is decided
    // again on the ticket as it is now (one read, only when the ticket's status would change).
    if (plan.actions.some((a) => a.kind === 'helpdesk.update') && link.ticket.vendor !== 'jira') {
      const client = this.deps.clients.helpdesk(link.ticket.vendor, link.ticket.connectionId);
      const now = client ? await client.getTicket(link.ticket.id).catch((err: Error) => {
        logger.warn('could not read the ticket before an M2 status write; deciding on the kept ticket', { error: err.message });
        return null;
      }) : null;
      if (now) plan = planOn(now);
    }
    await this.carryOut(plan, pair, event, { issue, logger });
  }
}
