import type { z } from 'zod';
import type { EventFacts } from '../../domain/first-sight';
import type { CanonicalStatus, Organisation, Person, Ticket, TicketPatch } from '../../domain/ticket';
import type { Logger } from '../../logging/logger';
import { VendorHttp, collect, paginate, type ErrorDetails } from '../core/http-client';
import { InvalidRequestError, isVendorApiError, PartialWriteError } from '../core/errors';
import type { HelpdeskClient, NoteAlso, VendorClientOptions } from '../types';
import {
  mapAgent,
  mapCompany,
  mapContact,
  mapTicket,
  mergeTags,
  toFreshdeskStatus,
  toFreshdeskPriority,
  type FreshdeskStatusMap,
} from './mapper';
import {
  FreshdeskGroupListSchema,
  FreshdeskAgentSchema,
  FreshdeskCompanySchema,
  FreshdeskContactSchema,
  FreshdeskConversationListSchema,
  FreshdeskConversationSchema,
  FreshdeskErrorSchema,
  FreshdeskTicketListSchema,
  FreshdeskTicketSchema,
  type FreshdeskConversation,
  type FreshdeskTicket,
} from './schemas';

export interface FreshdeskClientOptions extends VendorClientOptions {
  apiKey: string;
  /** Custom status numbers (as strings) to canonical statuses; unmapped ones read as open. */
  customStatusMap?: Record<string, CanonicalStatus>;
}

const API = '/api/v2';
const PER_PAGE = 100;
const EMBEDDED_CONVERSATIONS = 10;
/** Freshdesk refuses page 301 of /tickets ("beyond the 300th page"): a new updated_since window starts instead. */
export const TICKET_LIST_PAGE_WALL = 300;

/** Reads Freshdesk's error bodies: validation errors name fields, auth errors only a code and message. */
export function errorDetails(body: unknown): ErrorDetails {
  const parsed = FreshdeskErrorSchema.safeParse(body);
  if (!parsed.success) return { message: typeof body === 'string' ? body.slice(0, 500) : '' };
  const { description, message, code, errors } = parsed.data;
  const fields: Record<string, string> = {};
  for (const e of errors ?? []) {
    if (!e.field) continue;
    const text = e.message ?? e.code ?? 'invalid';
    fields[e.field] = fields[e.field] ? `${fields[e.field]}; ${text}` : text;
  }
  return {
    message: description ?? message ?? code ?? '',
    ...(Object.keys(fields).length ? { fields } : {}),
  };
}

/** The target of `Link: <url>; rel="next"`, as a path on our own base URL so auth never leaves it. */
export function nextLink(headers: Record<string, unknown>): string | null {
  const raw = headers['link'];
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (typeof value !== 'string') return null;
  for (const part of value.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (!match?.[1]) continue;
    const url = new URL(match[1], 'http://relative.invalid');
    return `${url.pathname}${url.search}`;
  }
  return null;
}

function withQuery(path: string, query: Record<string, string | number>): string {
  const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  return `${path}?${search.toString()}`;
}

/** Freshdesk ids are integers on the wire; a non-numeric id is our bug, not the vendor's. */
function wireId(value: string, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidRequestError('freshdesk', `${what} must be a numeric id (a whole number up to 2^53 - 1), got "${value.slice(0, 40)}"`);
  return n;
}

const nullableWireId = (value: string | null, what: string): number | null => (value === null ? null : wireId(value, what));

export class FreshdeskClient implements HelpdeskClient {
  private readonly http: VendorHttp;
  private readonly logger: Logger;
  private readonly customStatusMap: FreshdeskStatusMap;
  /** Agents hardly change while a process runs; one lookup per agent keeps a ticket at two calls. */
  private readonly agentCache = new Map<string, Promise<Person | null>>();

  constructor(private readonly options: FreshdeskClientOptions) {
    this.logger = options.logger;
    this.customStatusMap = options.customStatusMap ?? {};
    this.http = new VendorHttp({
      vendor: 'freshdesk',
      connectionId: options.connectionId,
      baseURL: options.baseUrl,
      auth: { username: options.apiKey, password: 'X' },
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      logger: options.logger,
      metrics: options.metrics,
      circuit: options.circuit,
      errorDetails,
    });
  }

  /** GET /agents/me: the agent whose API key this is (check-config --online proves the key with it). */
  async whoAmI(): Promise<{ id: string; name: string | null; email: string | null }> {
    const res = await this.http.request('whoAmI', { url: `${API}/agents/me` }, FreshdeskAgentSchema, { idempotent: true });
    return { id: String(res.data.id), name: res.data.contact.name, email: res.data.contact.email };
  }

  async getTicket(ticketId: string): Promise<Ticket> {
    const id = wireId(ticketId, 'ticket id');
    const ticket = await this.fetchTicket('getTicket', id, 'requester,company,conversations');
    // The embed stops at the oldest 10: fewer than that is the whole conversation, one call saved.
    const embedded = ticket.conversations;
    const conversations = embedded && embedded.length < EMBEDDED_CONVERSATIONS ? embedded : await collect(this.conversations(id));
    const agents = await this.resolveAgents(conversations, ticket.requester_id, ticket.responder_id);
    const organisation = await this.organisationOf(ticket);
    const mapped = mapTicket({
      ticket,
      conversations,
      agents,
      organisation,
      baseUrl: this.http.baseURL,
      connectionId: this.options.connectionId,
      customStatusMap: this.customStatusMap,
    });
    return { ...mapped, assignee: ticket.responder_id === null ? null : (agents.get(String(ticket.responder_id)) ?? null) };
  }

  async addPrivateNote(ticketId: string, bodyHtml: string, also?: NoteAlso): Promise<{ id: string }> {
    const id = wireId(ticketId, 'ticket id');
    const res = await this.http.request(
      'addPrivateNote',
      { method: 'POST', url: `${API}/tickets/${id}/notes`, data: { body: bodyHtml, private: true } },
      FreshdeskConversationSchema,
    );
    // Freshdesk writes notes and fields separately; the current tags are known, so no read first.
    const body: Record<string, unknown> = {};
    if (also?.addTags?.length) body.tags = mergeTags(also.current.tags, { add: also.addTags });
    if (also?.customFields && Object.keys(also.customFields).length) body.custom_fields = also.customFields;
    if (Object.keys(body).length) {
      try {
        await this.http.request('updateTicket', { method: 'PUT', url: `${API}/tickets/${id}`, data: body }, FreshdeskTicketSchema);
      } catch (err) {
        // The note is posted: a retry must not post it again, only finish the update.
        throw new PartialWriteError(String(res.data.id), err);
      }
    }
    return { id: String(res.data.id) };
  }

  async updateTicket(ticketId: string, patch: TicketPatch): Promise<void> {
    const id = wireId(ticketId, 'ticket id');
    const body = await this.updateBody(id, patch);
    if (Object.keys(body).length === 0) return;
    await this.http.request('updateTicket', { method: 'PUT', url: `${API}/tickets/${id}`, data: body }, FreshdeskTicketSchema);
  }

  /**
   * Every ticket updated at or after `sinceIso`, oldest change first. Past the 300-page wall a
   * new window starts at the last record's updated_at; records seen at that instant are skipped.
   * Records are shallow: description and requester id only, no comments or organisation.
   */
  async *listTicketsUpdatedSince(sinceIso: string): AsyncGenerator<Ticket> {
    let since = sinceIso;
    let seen = new Set<string>();
    for (;;) {
      const window = yield* this.ticketWindow(since, seen);
      if (!window.hitWall) return;
      if (window.lastUpdatedAt === null || window.lastUpdatedAt === since) {
        // A whole window of changes within one second cannot be moved past by updated_since.
        this.logger.warn('freshdesk ticket poll stuck at the 300-page wall', { connectionId: this.options.connectionId, since });
        return;
      }
      since = window.lastUpdatedAt;
      seen = new Set([...seen].filter((key) => key.endsWith(`@${since}`)));
    }
  }

  /**
   * Freshdesk API v2 has no ticket history (no audits or activities endpoint), so a ticket seen
   * for the first time is judged by its webhook's triggered_event alone, or as it stands.
   */
  async historyFacts(_ticketId: string, _atUpdatedAt: string | null): Promise<EventFacts | null> {
    return null;
  }

  /** Every group with its name (for notes and the Jira issue: "App Support", not an id). */
  async listGroups(): Promise<Array<{ id: string; name: string }>> {
    const first = withQuery(`${API}/groups`, { per_page: PER_PAGE, page: 1 });
    const groups = await collect(paginate(first, (url) => this.page('listGroups', url, FreshdeskGroupListSchema)));
    return groups.map((g) => ({ id: String(g.id), name: g.name }));
  }

  async getContact(contactId: string): Promise<Person> {
    const id = wireId(contactId, 'contact id');
    const res = await this.http.request('getContact', { url: `${API}/contacts/${id}` }, FreshdeskContactSchema);
    return mapContact(res.data);
  }

  async getCompany(companyId: string): Promise<Organisation> {
    const id = wireId(companyId, 'company id');
    const res = await this.http.request('getCompany', { url: `${API}/companies/${id}` }, FreshdeskCompanySchema);
    return mapCompany(res.data);
  }

  private async fetchTicket(operation: string, id: number, include?: string): Promise<FreshdeskTicket> {
    const url = include ? withQuery(`${API}/tickets/${id}`, { include }) : `${API}/tickets/${id}`;
    const res = await this.http.request(operation, { url }, FreshdeskTicketSchema);
    return res.data;
  }

  private conversations(ticketId: number): AsyncGenerator<FreshdeskConversation> {
    const first = withQuery(`${API}/tickets/${ticketId}/conversations`, { per_page: PER_PAGE, page: 1 });
    return paginate(first, (url) => this.page('listConversations', url, FreshdeskConversationListSchema));
  }

  private async page<S extends z.ZodType<unknown[]>>(
    operation: string,
    url: string,
    schema: S,
  ): Promise<{ items: z.infer<S>; next: string | null }> {
    const res = await this.http.request(operation, { url }, schema);
    return { items: res.data, next: nextLink(res.headers) };
  }

  /** One updated_since query, followed until its last page or the page wall. */
  private async *ticketWindow(
    since: string,
    seen: Set<string>,
  ): AsyncGenerator<Ticket, { hitWall: boolean; lastUpdatedAt: string | null }> {
    let url: string | null = withQuery(`${API}/tickets`, {
      updated_since: since,
      order_by: 'updated_at',
      order_type: 'asc',
      per_page: PER_PAGE,
      page: 1,
      include: 'description',
    });
    let lastUpdatedAt: string | null = null;
    for (let pageNo = 1; url !== null; pageNo += 1) {
      const { items, next }: { items: FreshdeskTicket[]; next: string | null } = await this.page(
        'listTickets',
        url,
        FreshdeskTicketListSchema,
      );
      for (const record of items) {
        lastUpdatedAt = record.updated_at;
        const key = `${record.id}@${record.updated_at}`;
        if (seen.has(key)) continue;
        seen.add(key);
        yield this.shallowTicket(record);
      }
      if (next !== null && pageNo >= TICKET_LIST_PAGE_WALL) return { hitWall: true, lastUpdatedAt };
      url = next;
    }
    return { hitWall: false, lastUpdatedAt };
  }

  private shallowTicket(record: FreshdeskTicket): Ticket {
    return mapTicket({
      ticket: record,
      conversations: [],
      organisation: null,
      baseUrl: this.http.baseURL,
      connectionId: this.options.connectionId,
      customStatusMap: this.customStatusMap,
    });
  }

  /** The embed names the company; only a ticket whose embed is missing costs a company call. */
  private async organisationOf(ticket: FreshdeskTicket): Promise<Organisation | null> {
    if (ticket.company_id === null) return null;
    if (ticket.company?.id === ticket.company_id && ticket.company.name !== undefined) return null;
    return this.getCompany(String(ticket.company_id));
  }

  private async resolveAgents(conversations: FreshdeskConversation[], requesterId: number, responderId: number | null): Promise<Map<string, Person>> {
    const ids = new Set<string>(responderId === null ? [] : [String(responderId)]);
    for (const c of conversations) {
      if (c.user_id !== null && c.user_id !== requesterId && !c.incoming) ids.add(String(c.user_id));
    }
    const agents = new Map<string, Person>();
    // One at a time: agents per ticket are few, and parallel bursts only spend the rate limit faster.
    for (const id of ids) {
      const agent = await this.agent(id);
      if (agent) agents.set(id, agent);
    }
    return agents;
  }

  private agent(id: string): Promise<Person | null> {
    const cached = this.agentCache.get(id);
    if (cached) return cached;
    const lookup = this.fetchAgent(id);
    this.agentCache.set(id, lookup);
    // A failed lookup must not be remembered: the next ticket tries again.
    lookup.catch(() => this.agentCache.delete(id));
    return lookup;
  }

  /**
   * A deleted agent (404) or a key without the right to read agents (403) leaves the author
   * unnamed rather than failing the whole ticket; anything retryable still fails it.
   */
  private async fetchAgent(id: string): Promise<Person | null> {
    try {
      const res = await this.http.request('getAgent', { url: `${API}/agents/${id}` }, FreshdeskAgentSchema);
      return mapAgent(res.data);
    } catch (err) {
      if (isVendorApiError(err) && (err.status === 404 || err.status === 403)) {
        this.logger.debug('freshdesk agent not readable, author left unnamed', { status: err.status });
        return null;
      }
      throw err;
    }
  }

  private async updateBody(id: number, patch: TicketPatch): Promise<Record<string, unknown>> {
    const body: Record<string, unknown> = {};
    if (patch.groupId !== undefined) body['group_id'] = nullableWireId(patch.groupId, 'group id');
    if (patch.assigneeId !== undefined) body['responder_id'] = nullableWireId(patch.assigneeId, 'assignee id');
    if (patch.status !== undefined) body['status'] = toFreshdeskStatus(patch.status);
    if (patch.priority !== undefined) body['priority'] = toFreshdeskPriority(patch.priority);
    if (patch.organisationId !== undefined) body['company_id'] = nullableWireId(patch.organisationId, 'organisation id');
    if (patch.customFields && Object.keys(patch.customFields).length) body['custom_fields'] = patch.customFields;
    const tagChange = patch.tags;
    if (tagChange && ((tagChange.add?.length ?? 0) > 0 || (tagChange.remove?.length ?? 0) > 0)) {
      const current = (await this.fetchTicket('getTicketTags', id)).tags;
      const merged = mergeTags(current, tagChange);
      if (!sameList(current, merged)) body['tags'] = merged;
    }
    return body;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
