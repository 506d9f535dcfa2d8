import { diffTicket } from '../domain/diff';
import { previousFromFacts, saysSomething, type EventFacts } from '../domain/first-sight';
import type { CanonicalStatus, EntityRef, HelpdeskVendor, JiraIssue, Ticket, Vendor } from '../domain/ticket';
import type { Logger } from '../logging/logger';
import type { InboxEvent, Store } from '../store/types';
import { isVendorApiError } from '../vendors/core/errors';
import { eventFactsOf } from '../vendors/event-facts';
import type { HelpdeskClient } from '../vendors/types';
import type { VendorClients } from './clients';
import type { Dispatcher, PreviousBasis } from './dispatcher';
import { PermanentEventError } from './errors';

export interface ProcessorDeps {
  store: Store;
  clients: VendorClients;
  dispatcher: Dispatcher;
  /** The API users helpdesk-sync writes as on a connection: their changes are our own echo (M5). */
  ourUsers?: (vendor: Vendor, connectionId: string) => ReadonlySet<string>;
  /** Freshdesk custom status numbers, so a triggered_event's status reads as a canonical one. */
  freshdeskCustomStatuses?: (connectionId: string) => Record<string, CanonicalStatus>;
  now?: () => Date;
}

export { PermanentEventError };

/** `echo`: the event reported a write of ours (M5); nothing was read and nothing done. */
export type ProcessOutcome = 'processed' | 'deleted' | 'echo';

/** Nothing says otherwise: a ticket whose last change came within this of its creation is new. */
const JUST_CREATED_MS = 60_000;

function entityId(event: InboxEvent): string {
  const [, id] = event.entityKey.split(':');
  if (!id) throw new PermanentEventError(`event ${event.id} has a malformed entity key ${event.entityKey}`);
  return id;
}

/**
 * One event, end to end. A webhook is only a notification: the authoritative ticket or issue
 * is fetched from the vendor, compared with the last state kept, handed to the handlers
 * registered for the event's kind, and only then kept as the new last state. A crash before
 * the save repeats the whole step, which the executor's ledger makes safe.
 */
export class EventProcessor {
  constructor(private readonly deps: ProcessorDeps) {}

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  async process(event: InboxEvent, logger: Logger): Promise<ProcessOutcome> {
    const ref: EntityRef = { vendor: event.vendor, connectionId: event.connectionId, id: entityId(event) };
    // A replayed dead letter is the vendor's webhook body too.
    const facts = event.source === 'webhook' || event.source === 'replay' ? this.factsOf(event) : null;
    if (await this.isOwnEcho(event, facts)) {
      logger.debug('M5: the event reports a write of ours; not fetched, not mirrored', { actorId: facts?.actorId, commentId: facts?.comment?.id });
      return 'echo';
    }
    return event.vendor === 'jira' ? this.processIssue(event, ref, facts, logger) : this.processTicket(event, ref, facts, logger);
  }

  private factsOf(event: InboxEvent): EventFacts | null {
    const custom = event.vendor === 'freshdesk' ? this.deps.freshdeskCustomStatuses?.(event.connectionId) : undefined;
    return eventFactsOf(event.vendor, event.payload, custom ? { freshdeskCustomStatuses: custom } : undefined);
  }

  /**
   * M5 without a read: the event's actor is our own API user, or the comment it reports is one
   * the ledger says we wrote. Only webhooks say who acted; polls and sweeps always read.
   */
  private async isOwnEcho(event: InboxEvent, facts: EventFacts | null): Promise<boolean> {
    if (!facts || facts.created) return false;
    if (facts.ownNote) return true;
    if (facts.actorId && this.deps.ourUsers?.(event.vendor, event.connectionId).has(facts.actorId)) return true;
    if (facts.comment?.id) return (await this.deps.store.findWriteByResult(event.vendor, event.connectionId, facts.comment.id)) !== null;
    return false;
  }

  private async markDeleted(ref: EntityRef, previous: unknown): Promise<ProcessOutcome> {
    await this.deps.store.saveSnapshot({ ref, data: previous ?? null, vendorUpdatedAt: null, savedAt: this.now(), deleted: true });
    return 'deleted';
  }

  private async processTicket(event: InboxEvent, ref: EntityRef, facts: EventFacts | null, logger: Logger): Promise<ProcessOutcome> {
    const vendor = event.vendor as HelpdeskVendor;
    const client = this.deps.clients.helpdesk(vendor, event.connectionId);
    if (!client) throw new PermanentEventError(`${vendor} connection "${event.connectionId}" has no API credentials configured`);
    const snapshot = await this.deps.store.getSnapshot(ref);
    const kept = snapshot && !snapshot.deleted ? (snapshot.data as Ticket) : null;
    let ticket: Ticket;
    try {
      ticket = await client.getTicket(ref.id);
    } catch (err) {
      // A deleted ticket answers 404 for ever; that is an outcome, not a failure to retry.
      if (isVendorApiError(err) && err.notFound && /delet|spam|merg/i.test(event.eventType)) return this.markDeleted(ref, kept);
      throw err;
    }
    if (ticket.groupId) ticket = { ...ticket, groupName: (await this.deps.clients.groupNames(vendor, event.connectionId)).get(ticket.groupId) ?? null };
    const { previous, basis } = kept ? { previous: kept, basis: 'snapshot' as const } : await this.firstSight(client, ticket, facts, logger);
    const changes = diffTicket(previous, ticket);
    for (const handler of this.deps.dispatcher.ticketHandlersFor(event)) {
      await handler.handle({ event, ticket, previous, previousSavedAt: kept ? (snapshot as { savedAt: Date }).savedAt : null, previousBasis: basis, changes, facts, logger });
    }
    await this.deps.store.saveSnapshot({ ref, data: ticket, vendorUpdatedAt: ticket.updatedAt, savedAt: this.now(), deleted: false });
    logger.info('ticket processed', {
      status: ticket.status,
      comments: ticket.comments.length,
      newComments: changes.newComments.length,
      groupChanged: changes.group !== null,
      assigneeChanged: changes.assignee !== null,
      ...(basis !== 'snapshot' ? { firstSight: basis } : {}),
    });
    return 'processed';
  }

  /**
   * A ticket we have never seen is not a new ticket: it existed before we were installed, or
   * its earlier webhooks were lost. What the event says comes first (the moved group, assignee
   * or status, the comment it reports), then the ticket's history (Zendesk audits). Where
   * nothing tells, a ticket changed within a minute of its creation is new, and an older one
   * is taken as it stands, with nothing changed to judge.
   */
  private async firstSight(client: HelpdeskClient, ticket: Ticket, facts: EventFacts | null, logger: Logger): Promise<{ previous: Ticket | null; basis: PreviousBasis }> {
    if (facts?.created) return { previous: null, basis: 'new' };
    const justCreated = Date.parse(ticket.updatedAt) - Date.parse(ticket.createdAt) < JUST_CREATED_MS;
    // A webhook names one field of a change (Zendesk sends one event per field); the audit of
    // that change names all of them. One read, on first sight only.
    let history: EventFacts | null = null;
    // Without any word from the event, a ticket changed within a minute of its creation is new.
    if (facts || !justCreated) {
      try {
        history = await client.historyFacts(ticket.id, facts?.updatedAt ?? ticket.updatedAt);
      } catch (err) {
        logger.warn('first sight: the ticket history could not be read; judging by the event alone', { error: (err as Error).message });
      }
    }
    if (history?.created && !(facts && saysSomething(facts))) return { previous: null, basis: 'new' };
    const said = facts && saysSomething(facts) ? facts : null;
    const combined = said && history ? { ...history, ...stripUndefined(said) } : (said ?? history);
    if (combined && saysSomething(combined) && !combined.created) {
      const previous = previousFromFacts(ticket, combined);
      if (previous) return { previous, basis: said ? 'event' : 'history' };
    }
    if (justCreated) return { previous: null, basis: 'new' };
    return { previous: ticket, basis: 'unknown' };
  }

  private async processIssue(event: InboxEvent, ref: EntityRef, facts: EventFacts | null, logger: Logger): Promise<ProcessOutcome> {
    const client = this.deps.clients.jira(event.connectionId);
    if (!client) throw new PermanentEventError(`jira connection "${event.connectionId}" has no API credentials configured`);
    const snapshot = await this.deps.store.getSnapshot(ref);
    const kept = snapshot && !snapshot.deleted ? normaliseIssue(snapshot.data as JiraIssue) : null;
    let issue: JiraIssue;
    try {
      issue = await client.getIssue(ref.id);
    } catch (err) {
      if (isVendorApiError(err) && err.notFound && event.eventType === 'jira:issue_deleted') return this.markDeleted(ref, kept);
      throw err;
    }
    // First sight of an issue (its creation was our own write, skipped as an echo): the
    // changelog of this event says which status it left.
    const previous = kept ?? (facts?.issueStatus?.from ? { ...issue, status: { id: null, name: facts.issueStatus.from, categoryKey: null } } : null);
    // The event names the issue by id; from here on its lines name its key too.
    const issueLogger = logger.child({ issueKey: issue.key });
    for (const handler of this.deps.dispatcher.issueHandlersFor(event)) {
      await handler.handle({ event, issue, previous, previousSavedAt: kept ? (snapshot as { savedAt: Date }).savedAt : null, facts, logger: issueLogger });
    }
    await this.deps.store.saveSnapshot({ ref, data: issue, vendorUpdatedAt: issue.updated, savedAt: this.now(), deleted: false });
    issueLogger.info('issue processed', { status: issue.status.name, comments: issue.comments.length });
    return 'processed';
  }
}

/** The facts' own fields, so they win over history's where both speak. */
function stripUndefined(facts: EventFacts): Partial<EventFacts> {
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined && v !== null)) as Partial<EventFacts>;
}

/** Snapshots kept before issues carried their comments read as issues without any. */
function normaliseIssue(issue: JiraIssue): JiraIssue {
  return Array.isArray(issue.comments) ? issue : { ...issue, comments: [] };
}
