import type { EventFacts } from '../domain/first-sight';
import type { JiraIssue, Ticket, TicketPatch } from '../domain/ticket';

/** What the worker and executor need from a helpdesk (Freshdesk or Zendesk). */
export interface HelpdeskClient {
  /** The authoritative ticket with its requester, organisation and whole conversation, oldest first. */
  getTicket(ticketId: string): Promise<Ticket>;
  /**
   * A private note (never visible to the requester). Body is HTML. Returns the new note's id.
   * `also` sets tags and custom fields in the same write where the vendor allows it (Zendesk),
   * else right after; the ticket's current tags and updated_at are given so nothing is re-read.
   */
  addPrivateNote(ticketId: string, bodyHtml: string, also?: NoteAlso): Promise<{ id: string }>;
  updateTicket(ticketId: string, patch: TicketPatch): Promise<void>;
  /** Every group with its name. */
  listGroups(): Promise<Array<{ id: string; name: string }>>;
  /**
   * What the ticket's history says about the change that produced its current state (the one
   * stamped `atUpdatedAt`), for a ticket seen for the first time. Null when the vendor keeps no
   * readable history (Freshdesk) or the history names no change.
   */
  historyFacts(ticketId: string, atUpdatedAt: string | null): Promise<EventFacts | null>;
}

export interface NoteAlso {
  addTags?: string[];
  customFields?: Record<string, string>;
  current: { tags: string[]; updatedAt: string };
}

export type AdfDoc = { version: 1; type: 'doc'; content: unknown[] };

export interface JiraTransition {
  id: string;
  name: string;
  to: { id: string; name: string; categoryKey: string | null };
}

export interface JiraRemoteLink {
  globalId: string;
  application?: { type: string; name: string };
  relationship?: string;
  object: {
    url: string;
    title: string;
    summary?: string;
    icon?: { url16x16: string; title: string };
    status?: { resolved: boolean };
  };
}

export interface JiraCreateIssueInput {
  /** The `fields` object of POST /rest/api/3/issue, already in Jira's shape. */
  fields: Record<string, unknown>;
  properties?: Array<{ key: string; value: unknown }>;
}

export interface JiraSearchPage {
  issues: JiraIssue[];
  nextPageToken: string | null;
}

export interface JiraClientApi {
  getIssue(idOrKey: string): Promise<JiraIssue>;
  /** PUT /issue: `fields` to set, `update` operations such as {labels: [{remove: 'needs-info'}]}. */
  editIssue(idOrKey: string, edit: { fields?: Record<string, unknown>; update?: Record<string, unknown[]> }): Promise<void>;
  createIssue(input: JiraCreateIssueInput): Promise<{ id: string; key: string; self: string }>;
  addComment(idOrKey: string, body: AdfDoc, properties?: Array<{ key: string; value: unknown }>): Promise<{ id: string }>;
  listTransitions(idOrKey: string): Promise<JiraTransition[]>;
  doTransition(idOrKey: string, transitionId: string, comment?: AdfDoc): Promise<void>;
  /** Upserts by globalId: a retry updates the link rather than adding a second one. */
  addRemoteLink(idOrKey: string, link: JiraRemoteLink): Promise<{ id: string }>;
  /** One page of POST /rest/api/3/search/jql. */
  searchPage(jql: string, fields: string[], nextPageToken?: string | null, maxResults?: number): Promise<JiraSearchPage>;
  /** Every issue matching the JQL, following nextPageToken. */
  search(jql: string, fields?: string[]): AsyncGenerator<JiraIssue>;
  getIssueProperty(idOrKey: string, key: string): Promise<unknown | null>;
  setIssueProperty(idOrKey: string, key: string, value: unknown): Promise<void>;
}

/** Common construction options of the three vendor clients. */
export interface VendorClientOptions {
  connectionId: string;
  /** Base URL without /api/v2 or /rest/api/3: https://acme.freshdesk.com, https://acme.zendesk.com, https://acme.atlassian.net */
  baseUrl: string;
  timeoutMs: number;
  retry: import('./core/http-client').RetryPolicy;
  logger: import('../logging/logger').Logger;
  /** Vendor call and rate-limit metrics; nothing is recorded without. */
  metrics?: import('../metrics/registry').MetricsRecorder;
  /** The connection's circuit breaker (none: every call goes out). */
  circuit?: import('./core/circuit').ConnectionCircuit;
}
