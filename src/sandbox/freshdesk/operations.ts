import { CUSTOM_FIELDS, dueDates } from './account';
import { SUPPORT_EMAIL, htmlToText, type FdConversation, type FdTicket, type FreshdeskState } from './state';

/**
 * The changes the API makes, applied to the state after the routes validated them. Each one
 * stamps the ticket's updated_at, keeps include=stats current, and reports what changed so
 * the automation rules can render `triggered_event`.
 */

/** What a create request decides; the rest of a ticket (ids, dates, stats) the sandbox fills in. */
export type NewTicket = Pick<
  FdTicket,
  'subject' | 'status' | 'priority' | 'source' | 'type' | 'requesterId' | 'responderId' | 'groupId' | 'companyId' | 'tags' | 'customFields' | 'ccEmails'
> & { descriptionHtml: string };

export function createTicket(state: FreshdeskState, input: NewTicket, at: string = state.timestamp()): FdTicket {
  const customFields: Record<string, unknown> = Object.fromEntries(CUSTOM_FIELDS.map((f): [string, unknown] => [f, null]));
  const ticket: FdTicket = {
    id: state.nextTicketId++,
    subject: input.subject,
    description: input.descriptionHtml,
    descriptionText: htmlToText(input.descriptionHtml),
    status: input.status,
    priority: input.priority,
    source: input.source,
    type: input.type,
    requesterId: input.requesterId,
    responderId: input.responderId,
    groupId: input.groupId,
    companyId: input.companyId,
    tags: dedupe(input.tags),
    customFields: { ...customFields, ...input.customFields },
    ccEmails: [...input.ccEmails],
    ...dueDates(at, input.priority),
    createdAt: at,
    updatedAt: at,
    stats: {
      agentRespondedAt: null,
      requesterRespondedAt: null,
      firstRespondedAt: null,
      statusUpdatedAt: at,
      reopenedAt: null,
      resolvedAt: null,
      closedAt: null,
      pendingSince: null,
    },
  };
  applyStatusStats(ticket, null, input.status, at);
  state.tickets.set(ticket.id, ticket);
  state.conversations.set(ticket.id, []);
  return ticket;
}

export interface TicketPatch {
  subject?: string;
  descriptionHtml?: string;
  status?: number;
  priority?: number;
  source?: number;
  type?: string | null;
  requesterId?: number;
  responderId?: number | null;
  groupId?: number | null;
  companyId?: number | null;
  tags?: string[];
  customFields?: Record<string, unknown>;
}

/** A field that changed, named as Freshdesk's triggered_event names it. */
export interface TicketChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** Applies the patch; only real changes count, and only they move updated_at. */
export function updateTicket(state: FreshdeskState, ticket: FdTicket, patch: TicketPatch): TicketChange[] {
  const changes: TicketChange[] = [];
  const scalar = <K extends keyof FdTicket>(field: string, key: K, value: FdTicket[K] | undefined) => {
    if (value === undefined || ticket[key] === value) return;
    changes.push({ field, from: ticket[key], to: value });
    ticket[key] = value;
  };
  const previousStatus = ticket.status;
  scalar('status', 'status', patch.status);
  scalar('responder_id', 'responderId', patch.responderId);
  scalar('group_id', 'groupId', patch.groupId);
  scalar('priority', 'priority', patch.priority);
  scalar('ticket_type', 'type', patch.type);
  scalar('company_id', 'companyId', patch.companyId);
  scalar('requester_id', 'requesterId', patch.requesterId);
  scalar('source', 'source', patch.source);
  scalar('subject', 'subject', patch.subject);
  if (patch.descriptionHtml !== undefined && patch.descriptionHtml !== ticket.description) {
    changes.push({ field: 'description', from: null, to: null });
    ticket.description = patch.descriptionHtml;
    ticket.descriptionText = htmlToText(patch.descriptionHtml);
  }
  if (patch.tags !== undefined) {
    // PUT replaces the whole list (the client does read-merge-write for that reason).
    const next = dedupe(patch.tags);
    if (!sameList(next, ticket.tags)) {
      changes.push({ field: 'tags', from: [...ticket.tags], to: [...next] });
      ticket.tags = next;
    }
  }
  if (patch.customFields !== undefined) {
    for (const [key, value] of Object.entries(patch.customFields)) {
      if (ticket.customFields[key] === value) continue;
      changes.push({ field: key, from: ticket.customFields[key] ?? null, to: value });
      ticket.customFields[key] = value;
    }
  }
  if (changes.length === 0) return changes;
  const at = state.stampAfter(ticket.updatedAt);
  ticket.updatedAt = at;
  if (patch.priority !== undefined && changes.some((c) => c.field === 'priority')) Object.assign(ticket, dueDates(ticket.createdAt, ticket.priority));
  if (ticket.status !== previousStatus) applyStatusStats(ticket, previousStatus, ticket.status, at);
  return changes;
}

function applyStatusStats(ticket: FdTicket, from: number | null, to: number, at: string): void {
  const s = ticket.stats;
  s.statusUpdatedAt = at;
  s.pendingSince = to === 3 ? at : null;
  if (to === 4) s.resolvedAt = at;
  if (to === 5) {
    s.closedAt = at;
    s.resolvedAt ??= at;
  }
  if (from !== null && (from === 4 || from === 5) && to !== 4 && to !== 5) s.reopenedAt = at;
}

export interface NewConversation {
  bodyHtml: string;
  userId: number;
  kind: 'note' | 'reply';
  private: boolean;
  incoming: boolean;
  toEmails: string[];
  ccEmails: string[];
}

/** A note (source 2) or a public reply (source 0); either touches the ticket's updated_at. */
export function addConversation(state: FreshdeskState, ticket: FdTicket, input: NewConversation, at?: string): FdConversation {
  const stamp = at ?? state.stampAfter(ticket.updatedAt);
  const reply = input.kind === 'reply';
  const conversation: FdConversation = {
    id: state.nextConversationId++,
    ticketId: ticket.id,
    body: input.bodyHtml,
    bodyText: htmlToText(input.bodyHtml),
    incoming: input.incoming,
    private: input.private,
    userId: input.userId,
    source: reply ? 0 : 2,
    fromEmail: reply ? `Acme Support <${SUPPORT_EMAIL}>` : null,
    toEmails: input.toEmails,
    ccEmails: input.ccEmails,
    supportEmail: reply ? SUPPORT_EMAIL : null,
    createdAt: stamp,
  };
  state.conversationsOf(ticket.id).push(conversation);
  ticket.updatedAt = stamp;
  const s = ticket.stats;
  if (reply) {
    s.agentRespondedAt = stamp;
    s.firstRespondedAt ??= stamp;
  } else if (input.incoming && input.userId === ticket.requesterId) {
    s.requesterRespondedAt = stamp;
  }
  return conversation;
}

function dedupe(list: readonly string[]): string[] {
  return [...new Set(list)];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
