import type { PolicyConfig } from '../config/schema';
import type { WriteAction } from '../domain/actions';
import type { TicketChanges } from '../domain/diff';
import type { EventFacts } from '../domain/first-sight';
import { isPolicyRule, refFor, withRef } from '../domain/rules';
import type { EntityRef, Ticket, TicketPatch } from '../domain/ticket';
import { auditDecisions, evaluate, isPolicyAction, resolveRoles } from '../policy';
import type { PolicyAction } from '../policy';
import type { Logger } from '../logging/logger';
import type { Store } from '../store/types';
import type { VendorClients } from './clients';
import { HELPDESKS, isReconcile, isBackfill, type TicketHandler, type TicketInput } from './dispatcher';
import type { Executor } from './executor';

export interface PolicyHandlerDeps {
  store: Store;
  clients: VendorClients;
  settings: PolicyConfig;
  executor: Executor;
  now?: () => Date;
}

/** The engine's action as the executor's typed write. */
export function writeOf(ref: EntityRef, ruleId: string, action: PolicyAction): WriteAction {
  if (action.kind === 'privateNote') {
    return { kind: 'helpdesk.note', key: action.idempotencyKey, rule: ruleId, ticket: ref, html: withRef(action.html, refFor(action.idempotencyKey)) };
  }
  return { kind: 'helpdesk.update', key: action.idempotencyKey, rule: ruleId, ticket: ref, patch: patchOf(action) as TicketPatch };
}

/** The patch an engine action asks for; notes go through addPrivateNote instead. */
function patchOf(action: PolicyAction): TicketPatch | null {
  switch (action.kind) {
    case 'reassign':
      return { groupId: action.groupId, assigneeId: action.assigneeId };
    case 'clearAssignee':
      return { assigneeId: null };
    case 'setOrganisation':
      return { organisationId: action.organisationId };
    case 'addTag':
      return { tags: { add: [action.tag] } };
    case 'removeTag':
      return { tags: { remove: [action.tag] } };
    case 'setPriority':
      return { priority: action.priority };
    case 'privateNote':
      return null;
  }
}

/**
 * Names of the people helpdesk-sync has met on any ticket of a connection (assignees, comment
 * authors, requesters), so notes say "Nadia Brooks" rather than an id, at no extra API call.
 * Kept in memory: after a restart names are learnt again as tickets come in.
 */
class PeopleSeen {
  private readonly byConnection = new Map<string, Map<string, string>>();

  learn(ticket: Ticket, previous: Ticket | null): Record<string, { name: string }> {
    const key = `${ticket.vendor}/${ticket.connectionId}`;
    const names = this.byConnection.get(key) ?? new Map<string, string>();
    this.byConnection.set(key, names);
    for (const p of [ticket.assignee, previous?.assignee, ticket.requester, ...ticket.comments.map((c) => c.author)]) {
      if (p?.id && p.name) names.set(p.id, p.name);
    }
    return Object.fromEntries([...names].map(([id, name]) => [id, { name }]));
  }
}

/**
 * The policy engine at the edge: gathers what the pure engine needs from the store,
 * records its plan (owner, handoff trail, decisions with their actions) and then runs the
 * actions through the helpdesk client, each once (its idempotency key is recorded after it
 * succeeds). A failure part-way is finished by the event's retry from the recorded plan.
 */
export class PolicyHandler implements TicketHandler {
  readonly name = 'policy';
  /**
   * Every helpdesk event but a reconcile (the mirror's) and a backfill: history walked after
   * install is learnt, not judged, so old tickets get no notes about what happened long ago.
   */
  readonly route = { vendors: HELPDESKS, eventTypes: (t: string) => !isReconcile(t) && !isBackfill(t) };

  private readonly people = new PeopleSeen();

  constructor(private readonly deps: PolicyHandlerDeps) {}

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  async handle(input: TicketInput): Promise<void> {
    const { event, ticket, previous, changes, logger } = input;
    const { store, settings } = this.deps;
    const ref: EntityRef = { vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id };
    const [owner, handoffs, decisions] = await Promise.all([store.getOwner(ref), store.listHandoffs(ref), store.listDecisions({ ticket: ref })]);
    // A retry of this event finishes the plan it recorded. Re-evaluating would judge a ticket
    // our own half-applied corrections already changed, and decide differently.
    const planned = decisions.filter((d) => d.eventId === event.id && isPolicyRule(d.ruleId));
    if (planned.length) {
      for (const d of planned) for (const action of d.actions.filter(isPolicyAction)) await this.apply(ticket, ref, d.ruleId, action, logger);
      return;
    }
    const now = this.now();
    const since = new Date(Date.parse(ticket.createdAt) - settings.duplicateWindowHours * 3_600_000).toISOString();
    const recent = ticket.requester ? await store.recentTicketsOfRequester(ticket.vendor, ticket.connectionId, ticket.requester.id, since) : [];
    const result = evaluate({
      ticket,
      previous,
      changes,
      history: { owner, handoffs, decisions },
      roles: resolveRoles(settings, ticket.vendor, ticket.connectionId),
      settings,
      actorId: this.actorOf(input.facts, ticket, changes),
      now,
      directory: {
        people: this.people.learn(ticket, previous),
        groups: Object.fromEntries(await this.deps.clients.groupNames(ticket.vendor, ticket.connectionId)),
      },
      recentTicketsOfRequester: recent,
    });
    if (result.echo) {
      logger.debug('M5: our own change came back; not judged');
      return;
    }
    // Plan first (owner, trail, decisions with their actions), then act.
    if (result.ownerUpdate) await store.setOwner(result.ownerUpdate);
    for (const h of result.handoffs) await store.appendHandoff(h);
    let n = 0;
    for (const d of auditDecisions(result, now, event.id)) await store.recordDecision({ ...d, key: `policy:${event.id}:${d.ruleId}:${(n += 1)}` });
    for (const decision of result.decisions) {
      for (const action of decision.actions) await this.apply(ticket, ref, decision.ruleId, action, logger);
    }
    for (const d of result.decisions.filter((x) => x.verdict !== 'ok' && x.verdict !== 'info')) {
      logger.info(`${d.ruleId} ${d.verdict}`, { rule: d.ruleId, verdict: d.verdict, summary: d.summary, actions: d.actions.map((a) => a.kind) });
    }
  }

  /**
   * The event's actor where the vendor names one (Zendesk events), but only while the ticket is
   * still in the state that event produced: the ticket is fetched fresh, so later changes by
   * others may be in it, and they must not be put down to this event's actor (our own echo,
   * say). Otherwise the newest new comment's author, else unknown.
   */
  private actorOf(facts: EventFacts | null, ticket: Ticket, changes: TicketChanges): string | null {
    if (facts?.actorId && facts.updatedAt && Date.parse(facts.updatedAt) === Date.parse(ticket.updatedAt)) return facts.actorId;
    return changes.newComments[changes.newComments.length - 1]?.authorId ?? null;
  }

  private async apply(ticket: Ticket, ref: EntityRef, ruleId: string, action: PolicyAction, logger: Logger): Promise<void> {
    await this.deps.executor.run(writeOf(ref, ruleId, action), { ticket, logger });
  }
}
