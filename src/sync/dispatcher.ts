import type { TicketChanges } from '../domain/diff';
import type { EventFacts } from '../domain/first-sight';
import type { HelpdeskVendor, JiraIssue, Ticket, Vendor } from '../domain/ticket';
import type { Logger } from '../logging/logger';
import type { InboxEvent } from '../store/types';

/**
 * Which events a handler cares about: by vendor, and by event type (the vendor's own, such as
 * `ticket.comment_added` or `comment_created`, or ours: `poll.*`, `reconcile.pair`,
 * `sweep.*`, `backfill.*`). A handler is never called for an event outside its route.
 */
export interface HandlerRoute {
  vendors: readonly Vendor[];
  /** Omitted: every event type. */
  eventTypes?: (eventType: string) => boolean;
}

/** How the worker came to know the state a ticket was in before this event. */
export type PreviousBasis = 'snapshot' | 'event' | 'history' | 'new' | 'unknown';

export interface TicketInput {
  event: InboxEvent;
  ticket: Ticket;
  previous: Ticket | null;
  /** When `previous` was kept; null when it was not read from a snapshot. */
  previousSavedAt: Date | null;
  previousBasis: PreviousBasis;
  changes: TicketChanges;
  /** What the event itself said (actor, moved fields, its comment), where it said anything. */
  facts: EventFacts | null;
  logger: Logger;
}

export interface IssueInput {
  event: InboxEvent;
  issue: JiraIssue;
  previous: JiraIssue | null;
  previousSavedAt: Date | null;
  facts: EventFacts | null;
  logger: Logger;
}

export interface TicketHandler {
  name: string;
  route: HandlerRoute;
  handle(input: TicketInput): Promise<void>;
}

export interface IssueHandler {
  name: string;
  route: HandlerRoute;
  handle(input: IssueInput): Promise<void>;
}

export const HELPDESKS: readonly HelpdeskVendor[] = ['freshdesk', 'zendesk'];

/** Event types of our own making, as the scheduled jobs put them in the inbox. */
export const isReconcile = (type: string): boolean => type === 'reconcile.pair';
export const isSweep = (type: string): boolean => type.startsWith('sweep.');
export const isBackfill = (type: string): boolean => type.startsWith('backfill.');

function routes(route: HandlerRoute, event: InboxEvent): boolean {
  return route.vendors.includes(event.vendor) && (route.eventTypes ? route.eventTypes(event.eventType) : true);
}

/**
 * Routes each inbox event to the handlers registered for its kind, in registration order
 * (the policy engine before the Jira composer, which reads the trail the engine keeps).
 */
export class Dispatcher {
  private readonly ticketHandlers: TicketHandler[] = [];
  private readonly issueHandlers: IssueHandler[] = [];

  onTicket(handler: TicketHandler): this {
    this.ticketHandlers.push(handler);
    return this;
  }

  onIssue(handler: IssueHandler): this {
    this.issueHandlers.push(handler);
    return this;
  }

  ticketHandlersFor(event: InboxEvent): TicketHandler[] {
    return this.ticketHandlers.filter((h) => routes(h.route, event));
  }

  issueHandlersFor(event: InboxEvent): IssueHandler[] {
    return this.issueHandlers.filter((h) => routes(h.route, event));
  }

  /** Names by vendor, for the start-up log line. */
  describe(): string[] {
    return [...this.ticketHandlers.map((h) => `${h.name} (tickets)`), ...this.issueHandlers.map((h) => `${h.name} (issues)`)];
  }
}
