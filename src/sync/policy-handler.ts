import type { PolicyConfig } from '../config/schema';
import type { TicketChanges } from '../domain/diff';
import type { EntityRef, Ticket, TicketPatch } from '../domain/ticket';
import { auditDecisions, evaluate, resolveRoles } from '../policy';
import type { PolicyAction } from '../policy';
import type { Logger } from '../logging/logger';
import type { InboxEvent, Store } from '../store/types';
import { zendeskActorOf } from '../vendors/zendesk/webhook';
import type { HelpdeskClient } from '../vendors/types';
import type { VendorClients } from './clients';
import { PermanentEventError, type TicketHandler } from './processor';

export interface PolicyHandlerDeps {
  store: Store;
  clients: VendorClients;
  settings: PolicyConfig;
  now?: () => Date;
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
 * The policy engine at the edge (issue 6): gathers what the pure engine needs from the store,
 * runs its actions through the helpdesk client, each once (its idempotency key is recorded
 * after it succeeds), and only then writes the owner, the handoff trail and the decisions.
 * A failure part-way leaves nothing recorded; the retry re-evaluates and skips what ran.
 */
export class PolicyHandler implements TicketHandler {
  readonly name = 'policy';

  constructor(private readonly deps: PolicyHandlerDeps) {}

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  async handle(input: { event: InboxEvent; ticket: Ticket; previous: Ticket | null; changes: TicketChanges; logger: Logger }): Promise<void> {
    const { event, ticket, previous, changes, logger } = input;
    const { store, settings } = this.deps;
    const ref: EntityRef = { vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id };
    const [owner, handoffs, decisions] = await Promise.all([store.getOwner(ref), store.listHandoffs(ref), store.listDecisions({ ticket: ref })]);
    const now = this.now();
    const result = evaluate({
      ticket,
      previous,
      changes,
      history: { owner, handoffs, decisions },
      roles: resolveRoles(settings, ticket.vendor, ticket.connectionId),
      settings,
      actorId: this.actorOf(event, changes),
      now,
    });
    if (result.echo) {
      logger.debug('M5: our own change came back; not judged');
      return;
    }
    for (const decision of result.decisions) {
      for (const action of decision.actions) await this.applyOnce(ticket, ref, action);
    }
    if (result.ownerUpdate) await store.setOwner(result.ownerUpdate);
    for (const h of result.handoffs) await store.appendHandoff(h);
    for (const d of auditDecisions(result, now, event.id)) await store.recordDecision(d);
    for (const d of result.decisions.filter((x) => x.verdict !== 'ok' && x.verdict !== 'info')) {
      logger.info(`${d.ruleId} ${d.verdict}`, { rule: d.ruleId, verdict: d.verdict, summary: d.summary, actions: d.actions.map((a) => a.kind) });
    }
  }

  /** The event's actor where the vendor names one (Zendesk events), else the newest new comment's author. */
  private actorOf(event: InboxEvent, changes: TicketChanges): string | null {
    const fromEvent = event.vendor === 'zendesk' ? zendeskActorOf(event.payload) : null;
    return fromEvent ?? changes.newComments[changes.newComments.length - 1]?.authorId ?? null;
  }

  private async applyOnce(ticket: Ticket, ref: EntityRef, action: PolicyAction): Promise<void> {
    const { store } = this.deps;
    if (await store.getExecutedAction(action.idempotencyKey)) return;
    const client = this.helpdesk(ticket);
    if (action.kind === 'privateNote') {
      await client.addPrivateNote(ticket.id, action.html);
    } else {
      const patch = patchOf(action);
      if (patch) await client.updateTicket(ticket.id, patch);
    }
    await store.recordExecutedAction({ idempotencyKey: action.idempotencyKey, ticket: ref, kind: `policy:${action.kind}`, result: null, at: this.now() });
  }

  private helpdesk(ticket: Ticket): HelpdeskClient {
    const client = this.deps.clients.helpdesk(ticket.vendor, ticket.connectionId);
    if (!client) throw new PermanentEventError(`${ticket.vendor} connection "${ticket.connectionId}" has no API credentials`);
    return client;
  }
}
