import type {
  CanonicalPriority,
  CanonicalStatus,
  HelpdeskSla,
  HelpdeskSlaTarget,
  Organisation,
  Person,
  Ticket,
  TicketComment,
} from '../../domain/ticket';
import type {
  FreshdeskAgent,
  FreshdeskCompany,
  FreshdeskContact,
  FreshdeskConversation,
  FreshdeskTicket,
} from './schemas';

/** Pure mapping between Freshdesk API v2 records and the canonical model (docs/rules.md, "Mirroring and lifecycle"). */

export type FreshdeskStatusMap = Record<string, CanonicalStatus>;

const STATUS_FROM_FRESHDESK: Readonly<Record<number, CanonicalStatus>> = {
  2: 'open',
  3: 'pending',
  4: 'resolved',
  5: 'closed',
};

// Freshdesk has no in-progress or on-hold of its own: they fall back to its nearest built-in status.
const STATUS_TO_FRESHDESK: Readonly<Record<CanonicalStatus, number>> = {
  open: 2,
  pending: 3,
  in_progress: 2,
  on_hold: 3,
  resolved: 4,
  closed: 5,
};

const PRIORITY_FROM_FRESHDESK: Readonly<Record<number, CanonicalPriority>> = {
  1: 'low',
  2: 'normal',
  3: 'high',
  4: 'urgent',
};

const PRIORITY_TO_FRESHDESK: Readonly<Record<CanonicalPriority, number>> = {
  low: 1,
  normal: 2,
  high: 3,
  urgent: 4,
};

/** Built-in statuses first, so a config entry cannot silently redefine 2..5; then custom ones by config; else null. */
export function knownCanonicalStatus(status: number, customStatusMap: FreshdeskStatusMap = {}): CanonicalStatus | null {
  return STATUS_FROM_FRESHDESK[status] ?? customStatusMap[String(status)] ?? null;
}

/** A ticket must have a status, so an unmapped custom one reads as open. */
export function toCanonicalStatus(status: number, customStatusMap: FreshdeskStatusMap = {}): CanonicalStatus {
  return knownCanonicalStatus(status, customStatusMap) ?? 'open';
}

export function toFreshdeskStatus(status: CanonicalStatus): number {
  return STATUS_TO_FRESHDESK[status];
}

export function toCanonicalPriority(priority: number): CanonicalPriority | null {
  return PRIORITY_FROM_FRESHDESK[priority] ?? null;
}

export function toFreshdeskPriority(priority: CanonicalPriority): number {
  return PRIORITY_TO_FRESHDESK[priority];
}

export function ticketUrl(baseUrl: string, ticketId: string | number): string {
  return `${baseUrl.replace(/\/+$/, '')}/a/tickets/${ticketId}`;
}

const idOrNull = (value: number | null | undefined): string | null =>
  value === null || value === undefined ? null : String(value);

export function mapContact(contact: FreshdeskContact): Person {
  return {
    id: String(contact.id),
    name: contact.name,
    email: contact.email,
    role: 'end-user',
    organisationId: idOrNull(contact.company_id),
  };
}

export function mapAgent(agent: FreshdeskAgent): Person {
  return {
    id: String(agent.id),
    name: agent.contact.name,
    email: agent.contact.email,
    role: 'agent',
    organisationId: null,
  };
}

export function mapCompany(company: FreshdeskCompany): Organisation {
  return { id: String(company.id), name: company.name, domains: company.domains ?? [] };
}

/**
 * The requester as the ticket knows it. The embed has no company_id, so the ticket's own
 * company stands in; without the embed the person is known by id only.
 */
export function mapRequester(ticket: FreshdeskTicket): Person {
  const embedded = ticket.requester;
  return {
    id: String(ticket.requester_id),
    name: embedded?.name ?? null,
    email: embedded?.email ?? null,
    role: 'end-user',
    organisationId: idOrNull(ticket.company_id),
  };
}

/** The organisation embedded by include=company: id and name only, so no domains. */
export function embeddedOrganisation(ticket: FreshdeskTicket): Organisation | null {
  const company = ticket.company;
  if (ticket.company_id === null || !company || company.id !== ticket.company_id || company.name === undefined) {
    return null;
  }
  return { id: String(company.id), name: company.name, domains: [] };
}

/** `"Jane Doe" <jane@acme.io>` or a bare address; Freshdesk uses both spellings in from_email. */
export function emailAddressOf(from: string | null | undefined): string | null {
  if (!from) return null;
  const angled = /<([^<>\s]+@[^<>\s]+)>/.exec(from);
  const address = (angled?.[1] ?? from).trim();
  return address.includes('@') ? address : null;
}

export interface ConversationAuthors {
  requester: Person | null;
  /** Agents resolved by the client, keyed by user id. */
  agents: ReadonlyMap<string, Person>;
}

/** The requester, or anyone writing in from outside, is an end-user; everyone else is an agent. */
export function conversationAuthor(
  conversation: FreshdeskConversation,
  requesterId: number,
  authors: ConversationAuthors,
): Person | null {
  if (conversation.user_id === null) return null;
  const userId = String(conversation.user_id);
  if (conversation.user_id === requesterId) {
    return authors.requester ?? { id: userId, name: null, email: null, role: 'end-user', organisationId: null };
  }
  if (conversation.incoming) {
    return { id: userId, name: null, email: emailAddressOf(conversation.from_email), role: 'end-user', organisationId: null };
  }
  return authors.agents.get(userId) ?? { id: userId, name: null, email: null, role: 'agent', organisationId: null };
}

export function mapConversation(
  conversation: FreshdeskConversation,
  requesterId: number,
  authors: ConversationAuthors,
): TicketComment {
  const author = conversationAuthor(conversation, requesterId, authors);
  return {
    id: String(conversation.id),
    authorId: author?.id ?? null,
    author,
    public: !conversation.private,
    incoming: conversation.incoming,
    bodyText: conversation.body_text ?? '',
    bodyHtml: conversation.body,
    createdAt: conversation.created_at,
    ...attachmentsOf(conversation),
  };
}

/** Set only where Freshdesk listed files, so a conversation without any stays as it was. */
function attachmentsOf(conversation: FreshdeskConversation): Pick<TicketComment, 'attachments'> {
  const files = (conversation.attachments ?? []).flatMap((a) => (a.name && a.attachment_url ? [{ name: a.name, url: a.attachment_url }] : []));
  return files.length ? { attachments: files } : {};
}

/** Oldest first; the id breaks ties because Freshdesk timestamps have one-second resolution. */
export function compareComments(a: TicketComment, b: TicketComment): number {
  const byTime = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  return Number(a.id) - Number(b.id);
}

/** A Freshdesk time as ISO UTC; null when absent or unreadable. */
function isoUtc(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * The ticket's own SLA policy: fr_due_by (first response) and due_by (resolution). Freshdesk
 * says nothing about stages (fr_escalated/is_escalated only say a target was missed), so the
 * stage is null and the reader judges it from the ticket's history. A target whose field is
 * absent, null or unreadable is null.
 */
export function helpdeskSlaOf(ticket: FreshdeskTicket): HelpdeskSla {
  const target = (dueBy: string | null | undefined): HelpdeskSlaTarget | null => {
    const dueAt = isoUtc(dueBy);
    return dueAt === null ? null : { dueAt, stage: null };
  };
  return { firstResponse: target(ticket.fr_due_by), resolution: target(ticket.due_by) };
}

export interface MapTicketInput {
  ticket: FreshdeskTicket;
  conversations: FreshdeskConversation[];
  /** The full company when the client fetched it; else the embedded one is used. */
  organisation?: Organisation | null;
  agents?: ReadonlyMap<string, Person>;
  baseUrl: string;
  connectionId: string;
  customStatusMap?: FreshdeskStatusMap;
}

/** The description is not a conversation in Freshdesk: it stays in description*, never in comments. */
export function mapTicket(input: MapTicketInput): Ticket {
  const { ticket } = input;
  const requester = mapRequester(ticket);
  const authors: ConversationAuthors = { requester, agents: input.agents ?? new Map() };
  const comments = input.conversations
    .map((c) => mapConversation(c, ticket.requester_id, authors))
    .sort(compareComments);
  return {
    vendor: 'freshdesk',
    connectionId: input.connectionId,
    id: String(ticket.id),
    url: ticketUrl(input.baseUrl, ticket.id),
    subject: ticket.subject ?? '',
    descriptionText: ticket.description_text ?? '',
    descriptionHtml: ticket.description ?? null,
    status: toCanonicalStatus(ticket.status, input.customStatusMap),
    vendorStatus: String(ticket.status),
    priority: toCanonicalPriority(ticket.priority),
    type: ticket.type,
    groupId: idOrNull(ticket.group_id),
    assigneeId: idOrNull(ticket.responder_id),
    requester,
    organisation: input.organisation ?? embeddedOrganisation(ticket),
    tags: [...ticket.tags],
    customFields: { ...ticket.custom_fields },
    createdAt: ticket.created_at,
    updatedAt: ticket.updated_at,
    comments,
    helpdeskSla: helpdeskSlaOf(ticket),
  };
}

/** Freshdesk's PUT replaces the tag list: the list to send is the current one with the change applied. */
export function mergeTags(current: readonly string[], change: { add?: string[]; remove?: string[] }): string[] {
  const removed = new Set(change.remove ?? []);
  const out: string[] = [];
  for (const tag of [...current, ...(change.add ?? [])]) {
    if (!removed.has(tag) && !out.includes(tag)) out.push(tag);
  }
  return out;
}
