import type { WebhookDispatcher } from '../core/webhook-dispatcher';
import { priorityLabel, statusLabel } from './account';
import type { TicketChange } from './operations';
import type { FdTicket, FreshdeskState } from './state';

/**
 * Freshdesk has no webhook subscriptions, only automation rules with a "Trigger webhook"
 * action. The sandbox runs the two rules the README sets up, one under
 * "Ticket creation" and one under "Ticket updates", each rendering the README's template:
 * every value a string, status and priority as labels, the secret in X-Webhook-Secret.
 */

export interface FreshdeskWebhookTarget {
  url: string;
  secret: string;
}

/** The README template's keys, rendered. */
export type FreshdeskWebhookBody = Record<
  | 'event'
  | 'ticket_id'
  | 'ticket_url'
  | 'subject'
  | 'status'
  | 'priority'
  | 'group'
  | 'agent_email'
  | 'requester_email'
  | 'tags'
  | 'triggered_event'
  | 'latest_public_comment'
  | 'latest_private_comment',
  string
>;

export const CREATED_EVENT = '{ticket_action:created}';
export const REPLY_SENT_EVENT = '{reply_sent:sent}';

export function noteEvent(isPrivate: boolean): string {
  return `{note_type:${isPrivate ? 'private' : 'public'}}`;
}

/** One representative change per update, the most telling first (updateTicket orders them so). */
export function triggeredEventOf(changes: readonly TicketChange[]): string {
  const change = changes[0];
  if (!change) return '{ticket_action:updated}';
  if (change.field === 'tags') {
    const from = asList(change.from);
    const to = asList(change.to);
    return `{tags:{added:[${to.filter((t) => !from.includes(t)).join(',')}],removed:[${from.filter((t) => !to.includes(t)).join(',')}]}}`;
  }
  if (change.field === 'description') return '{description:updated}';
  return `{${change.field}:{from:${scalarText(change.from)},to:${scalarText(change.to)}}}`;
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const scalarText = (v: unknown): string => (v === null || v === undefined ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export class FreshdeskAutomations {
  private target: FreshdeskWebhookTarget | null = null;

  constructor(
    private readonly state: FreshdeskState,
    private readonly dispatcher: WebhookDispatcher,
    /** The account's base URL, for {{ticket.url}}. */
    private readonly baseUrl: () => string,
  ) {}

  setTarget(target: FreshdeskWebhookTarget | null): void {
    this.target = target;
    this.dispatcher.setTarget(
      target === null
        ? null
        : { url: target.url, headers: () => ({ 'X-Webhook-Secret': target.secret, 'User-Agent': 'Freshdesk' }) },
    );
  }

  get configured(): boolean {
    return this.target !== null;
  }

  /** The creation rule. Called after the ticket is committed. */
  ticketCreated(ticket: FdTicket): void {
    this.fire('ticket_created', ticket, CREATED_EVENT);
  }

  /** The update rule: one call per change (an update, a note, a reply). */
  ticketUpdated(ticket: FdTicket, triggeredEvent: string): void {
    this.fire('ticket_updated', ticket, triggeredEvent);
  }

  private fire(event: 'ticket_created' | 'ticket_updated', ticket: FdTicket, triggeredEvent: string): void {
    if (!this.target) return;
    this.dispatcher.emit(event, `ticket:${ticket.id}`, this.render(event, ticket, triggeredEvent));
  }

  render(event: string, ticket: FdTicket, triggeredEvent: string): FreshdeskWebhookBody {
    const conversations = this.state.conversationsOf(ticket.id);
    const latest = (isPrivate: boolean) => [...conversations].reverse().find((c) => c.private === isPrivate)?.body ?? '';
    const group = ticket.groupId === null ? undefined : this.state.groups.get(ticket.groupId);
    const agent = ticket.responderId === null ? undefined : this.state.agents.get(ticket.responderId);
    return {
      event,
      ticket_id: String(ticket.id),
      ticket_url: `${this.baseUrl().replace(/\/+$/, '')}/helpdesk/tickets/${ticket.id}`,
      subject: ticket.subject,
      status: statusLabel(ticket.status),
      priority: priorityLabel(ticket.priority),
      group: group?.name ?? '',
      agent_email: agent?.email ?? '',
      requester_email: this.state.userEmail(ticket.requesterId) ?? '',
      tags: ticket.tags.join(','),
      triggered_event: triggeredEvent,
      latest_public_comment: latest(false),
      latest_private_comment: latest(true),
    };
  }
}
