/**
 * The sandbox account's records, kept in Freshdesk's own terms (integer ids, second-resolution
 * UTC timestamps) but in camelCase: wire.ts turns them into Freshdesk's JSON. Tests and the demo
 * read this state for end-state checks; only the REST routes change it.
 */

export interface FdGroup {
  id: number;
  name: string;
  description: string;
  createdAt: string;
}

export interface FdAgent {
  id: number;
  name: string;
  email: string;
  apiKey: string;
  groupIds: number[];
  createdAt: string;
}

export interface FdCompany {
  id: number;
  name: string;
  domains: string[];
  createdAt: string;
  updatedAt: string;
}

export interface FdContact {
  id: number;
  name: string;
  email: string;
  companyId: number | null;
  createdAt: string;
  updatedAt: string;
}

/** What `include=stats` reports; kept up to date by the operations that move a ticket. */
export interface FdTicketStats {
  agentRespondedAt: string | null;
  requesterRespondedAt: string | null;
  firstRespondedAt: string | null;
  statusUpdatedAt: string | null;
  reopenedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  pendingSince: string | null;
}

export interface FdTicket {
  id: number;
  subject: string;
  /** HTML, as sent. */
  description: string;
  descriptionText: string;
  status: number;
  priority: number;
  source: number;
  type: string | null;
  requesterId: number;
  responderId: number | null;
  groupId: number | null;
  companyId: number | null;
  tags: string[];
  customFields: Record<string, unknown>;
  ccEmails: string[];
  dueBy: string;
  frDueBy: string;
  createdAt: string;
  updatedAt: string;
  stats: FdTicketStats;
}

export interface FdConversation {
  id: number;
  ticketId: number;
  body: string;
  bodyText: string;
  incoming: boolean;
  private: boolean;
  userId: number;
  /** Freshdesk's conversation source: 0 reply, 2 note. */
  source: number;
  fromEmail: string | null;
  toEmails: string[];
  ccEmails: string[];
  supportEmail: string | null;
  createdAt: string;
}

/** The account's address customers write to; replies go out from it. */
export const SUPPORT_EMAIL = 'support@acme.io';

export class FreshdeskState {
  readonly groups = new Map<number, FdGroup>();
  readonly agents = new Map<number, FdAgent>();
  readonly companies = new Map<number, FdCompany>();
  readonly contacts = new Map<number, FdContact>();
  readonly tickets = new Map<number, FdTicket>();
  /** Per ticket, oldest first (ids increase, so insertion order is id order). */
  readonly conversations = new Map<number, FdConversation[]>();

  nextTicketId = 1;
  nextConversationId = 43015648000;
  nextContactId = 43022119000;

  /** Sandbox time (the shared SandboxClock under startSandboxes). */
  constructor(readonly now: () => Date) {}

  /** Freshdesk's timestamps have one-second resolution. */
  timestamp(): string {
    return isoSeconds(this.now());
  }

  /**
   * The instant of a change to a record last stamped `previous`: now, or one second after the
   * previous stamp when several changes land within a second, so updated_at always moves on
   * and a poller keyed on (id, updated_at) sees every change.
   */
  stampAfter(previous: string | null): string {
    const now = Math.floor(this.now().getTime() / 1000) * 1000;
    const floor = previous === null ? now : Date.parse(previous) + 1000;
    return isoSeconds(new Date(Math.max(now, floor)));
  }

  agentByApiKey(apiKey: string): FdAgent | undefined {
    for (const agent of this.agents.values()) if (agent.apiKey === apiKey) return agent;
    return undefined;
  }

  agentByEmail(email: string): FdAgent | undefined {
    const wanted = email.toLowerCase();
    for (const agent of this.agents.values()) if (agent.email.toLowerCase() === wanted) return agent;
    return undefined;
  }

  contactByEmail(email: string): FdContact | undefined {
    const wanted = email.toLowerCase();
    for (const contact of this.contacts.values()) if (contact.email.toLowerCase() === wanted) return contact;
    return undefined;
  }

  /** Freshdesk links a contact to the company whose `domains` hold the email's domain. */
  companyForEmail(email: string): FdCompany | undefined {
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    for (const company of this.companies.values()) if (company.domains.includes(domain)) return company;
    return undefined;
  }

  /** A requester or note author: a contact or an agent. */
  userEmail(userId: number): string | null {
    return this.contacts.get(userId)?.email ?? this.agents.get(userId)?.email ?? null;
  }

  userName(userId: number): string | null {
    return this.contacts.get(userId)?.name ?? this.agents.get(userId)?.name ?? null;
  }

  conversationsOf(ticketId: number): FdConversation[] {
    let list = this.conversations.get(ticketId);
    if (!list) {
      list = [];
      this.conversations.set(ticketId, list);
    }
    return list;
  }
}

export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** body_text / description_text: the HTML's text with whitespace collapsed, as Freshdesk renders it. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<\/(p|div|li|h[1-6]|tr)>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
