import type { TicketChanges } from '../domain/diff';
import { diffTicket } from '../domain/diff';
import type { EntityRef, JiraIssue, Ticket } from '../domain/ticket';
import type { Logger } from '../logging/logger';
import type { InboxEvent, Store } from '../store/types';
import { isVendorApiError } from '../vendors/core/errors';
import type { VendorClients } from './clients';

/** Something that acts on a fetched ticket: the policy engine and the Jira composer plug in here. */
export interface TicketHandler {
  name: string;
  handle(input: { event: InboxEvent; ticket: Ticket; previous: Ticket | null; changes: TicketChanges; logger: Logger }): Promise<void>;
}

export interface IssueHandler {
  name: string;
  handle(input: { event: InboxEvent; issue: JiraIssue; previous: JiraIssue | null; logger: Logger }): Promise<void>;
}

export interface ProcessorDeps {
  store: Store;
  clients: VendorClients;
  ticketHandlers?: TicketHandler[];
  issueHandlers?: IssueHandler[];
  now?: () => Date;
}

/** Thrown for an event that can never succeed as it stands (no client, malformed entity key). */
export class PermanentEventError extends Error {}

export type ProcessOutcome = 'processed' | 'deleted';

function entityId(event: InboxEvent): string {
  const [, id] = event.entityKey.split(':');
  if (!id) throw new PermanentEventError(`event ${event.id} has a malformed entity key ${event.entityKey}`);
  return id;
}

/**
 * One event, end to end. A webhook is only a notification: the authoritative ticket or issue
 * is fetched from the vendor, compared with the last state kept, handed to the handlers, and
 * only then kept as the new last state. A crash before the save repeats the whole step, which
 * the handlers' idempotency keys make safe.
 */
export class EventProcessor {
  constructor(private readonly deps: ProcessorDeps) {}

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  async process(event: InboxEvent, logger: Logger): Promise<ProcessOutcome> {
    const ref: EntityRef = { vendor: event.vendor, connectionId: event.connectionId, id: entityId(event) };
    return event.vendor === 'jira' ? this.processIssue(event, ref, logger) : this.processTicket(event, ref, logger);
  }

  private async markDeleted(ref: EntityRef, previous: unknown): Promise<ProcessOutcome> {
    await this.deps.store.saveSnapshot({ ref, data: previous ?? null, vendorUpdatedAt: null, savedAt: this.now(), deleted: true });
    return 'deleted';
  }

  private async processTicket(event: InboxEvent, ref: EntityRef, logger: Logger): Promise<ProcessOutcome> {
    const vendor = event.vendor as 'freshdesk' | 'zendesk';
    const client = this.deps.clients.helpdesk(vendor, event.connectionId);
    if (!client) throw new PermanentEventError(`${vendor} connection "${event.connectionId}" has no API credentials configured`);
    const snapshot = await this.deps.store.getSnapshot(ref);
    const previous = snapshot && !snapshot.deleted ? (snapshot.data as Ticket) : null;
    let ticket: Ticket;
    try {
      ticket = await client.getTicket(ref.id);
    } catch (err) {
      // A deleted ticket answers 404 for ever; that is an outcome, not a failure to retry.
      if (isVendorApiError(err) && err.notFound && /delet|spam|merg/i.test(event.eventType)) return this.markDeleted(ref, previous);
      throw err;
    }
    if (ticket.groupId) ticket = { ...ticket, groupName: (await this.deps.clients.groupNames(vendor, event.connectionId)).get(ticket.groupId) ?? null };
    const changes = diffTicket(previous, ticket);
    for (const handler of this.deps.ticketHandlers ?? []) {
      await handler.handle({ event, ticket, previous, changes, logger });
    }
    await this.deps.store.saveSnapshot({ ref, data: ticket, vendorUpdatedAt: ticket.updatedAt, savedAt: this.now(), deleted: false });
    logger.info('ticket processed', {
      status: ticket.status,
      comments: ticket.comments.length,
      newComments: changes.newComments.length,
      groupChanged: changes.group !== null,
      assigneeChanged: changes.assignee !== null,
    });
    return 'processed';
  }

  private async processIssue(event: InboxEvent, ref: EntityRef, logger: Logger): Promise<ProcessOutcome> {
    const client = this.deps.clients.jira(event.connectionId);
    if (!client) throw new PermanentEventError(`jira connection "${event.connectionId}" has no API credentials configured`);
    const snapshot = await this.deps.store.getSnapshot(ref);
    const previous = snapshot && !snapshot.deleted ? (snapshot.data as JiraIssue) : null;
    let issue: JiraIssue;
    try {
      issue = await client.getIssue(ref.id);
    } catch (err) {
      if (isVendorApiError(err) && err.notFound && event.eventType === 'jira:issue_deleted') return this.markDeleted(ref, previous);
      throw err;
    }
    for (const handler of this.deps.issueHandlers ?? []) {
      await handler.handle({ event, issue, previous, logger });
    }
    await this.deps.store.saveSnapshot({ ref, data: issue, vendorUpdatedAt: issue.updated, savedAt: this.now(), deleted: false });
    logger.info('issue processed', { issueKey: issue.key, status: issue.status.name });
    return 'processed';
  }
}
