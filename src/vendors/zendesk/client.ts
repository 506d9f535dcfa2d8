import type { EventFacts } from '../../domain/first-sight';
import type { CanonicalStatus, Organisation, Person, Ticket, TicketPatch } from '../../domain/ticket';
import { collect, paginate, VendorHttp, type ErrorDetails } from '../core/http-client';
import type { HelpdeskClient, NoteAlso, VendorClientOptions } from '../types';
import { isVendorApiError } from '../core/errors';
import { auditAt, auditFacts } from './audit-facts';
import { mapOrganization, mapTicket, mapUser, statusFromZendesk, statusToZendesk } from './mapper';
import {
  addCommentResponseSchema,
  auditsPageSchema,
  commentsPageSchema,
  errorBodySchema,
  groupsPageSchema,
  incrementalTicketsResponseSchema,
  showOrganizationResponseSchema,
  showTicketResponseSchema,
  showUserResponseSchema,
  tagsResponseSchema,
  updateTicketResponseSchema,
  type ZendeskAudit,
  type ZendeskComment,
  type ZendeskTicket,
  type ZendeskUser,
} from './schemas';

/** Cursor pages of regular list endpoints allow at most 100 records. */
const PAGE_SIZE = 100;
/** The incremental export serves up to 1000 tickets a call, and allows only 10 calls a minute. */
const INCREMENTAL_PAGE_SIZE = 1000;

export interface ZendeskClientOptions extends VendorClientOptions {
  /** The agent the API token belongs to. */
  email: string;
  apiToken: string;
  /**
   * Ask getTicket for the ticket's SLA policy too (include=slas, no extra call), for a connection
   * whose SLA source is the helpdesk; the Ticket then carries `helpdeskSla`. Off by default.
   */
  includeSlas?: boolean;
}

/** Where an incremental export starts: a Unix time (seconds) the first time, a saved cursor after. */
export type IncrementalStart = { startTime: number } | { cursor: string };

export interface IncrementalTicket {
  id: string;
  /** Null for tickets Zendesk reports as "deleted", which have no canonical status. */
  status: CanonicalStatus | null;
  vendorStatus: string;
  deleted: boolean;
  updatedAt: string;
  /** The validated record, for callers that need more than the summary. */
  raw: ZendeskTicket;
}

export interface IncrementalTicketsPage {
  tickets: IncrementalTicket[];
  /** Save it even at the end of the stream: the next poll resumes from it. */
  afterCursor: string | null;
  endOfStream: boolean;
}

type ZendeskTicketFields = {
  group_id?: number | string | null;
  assignee_id?: number | string | null;
  status?: string;
  priority?: string;
  organization_id?: number | string | null;
  custom_fields?: Array<{ id: number; value: string }>;
};

/** Reads Zendesk's error bodies into the message and per-field reasons of a VendorApiError. */
export function zendeskErrorDetails(body: unknown): ErrorDetails {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) {
    // Proxies and 5xx pages answer HTML or text; keep a short, bounded excerpt.
    return { message: typeof body === 'string' ? body.trim().slice(0, 200) : '' };
  }
  const { error, description, details } = parsed.data;
  const title = typeof error === 'string' ? error : error?.title ?? null;
  const text = typeof error === 'object' && error !== null ? error.message ?? null : null;
  const message = [title, description ?? text].filter((s): s is string => Boolean(s)).join(': ');
  return details ? { message, fields: fieldsOf(details) } : { message };
}

function fieldsOf(details: Record<string, Array<{ description?: string | null; error?: string | null }>>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [field, problems] of Object.entries(details)) {
    fields[field] = problems.map((p) => p.description ?? p.error ?? 'invalid').join('; ');
  }
  return fields;
}

/**
 * Zendesk expects integer ids in request bodies; our ids are decimal strings, and every
 * Zendesk id so far is below 2^53. A larger one is sent as the string itself rather than
 * rounded into someone else's id.
 */
function idForBody(id: string | null): number | string | null {
  if (id === null) return null;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : id;
}

function ticketPath(ticketId: string): string {
  return `/api/v2/tickets/${encodeURIComponent(ticketId)}.json`;
}

function ticketFieldsOf(patch: TicketPatch): ZendeskTicketFields {
  const fields: ZendeskTicketFields = {};
  if (patch.groupId !== undefined) fields.group_id = idForBody(patch.groupId);
  // null is meaningful here: it unassigns the ticket.
  if (patch.assigneeId !== undefined) fields.assignee_id = idForBody(patch.assigneeId);
  if (patch.status !== undefined) fields.status = statusToZendesk(patch.status);
  // Zendesk's priorities are the canonical words themselves.
  if (patch.priority !== undefined) fields.priority = patch.priority;
  if (patch.organisationId !== undefined) fields.organization_id = idForBody(patch.organisationId);
  if (patch.customFields && Object.keys(patch.customFields).length) {
    fields.custom_fields = Object.entries(patch.customFields).map(([id, value]) => ({ id: Number(id), value }));
  }
  return fields;
}

/**
 * Zendesk Support API v2. Every call goes through VendorHttp, which authenticates, retries 429
 * and 5xx (honouring Retry-After), validates the answer and raises VendorApiError.
 */
export class ZendeskClient implements HelpdeskClient {
  private readonly http: VendorHttp;

  constructor(private readonly options: ZendeskClientOptions) {
    this.http = new VendorHttp({
      vendor: 'zendesk',
      connectionId: options.connectionId,
      baseURL: options.baseUrl,
      // API-token Basic auth: the username is "{email}/token", the password the token.
      auth: { username: `${options.email}/token`, password: options.apiToken },
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      logger: options.logger,
      metrics: options.metrics,
      circuit: options.circuit,
      errorDetails: zendeskErrorDetails,
    });
  }

  /** The ticket with requester, organization (and SLA policy, when configured) and every comment: usually two calls. */
  async getTicket(ticketId: string): Promise<Ticket> {
    const include = this.options.includeSlas ? 'users,organizations,slas' : 'users,organizations';
    const show = await this.http.request(
      'getTicket',
      { url: ticketPath(ticketId), params: { include } },
      showTicketResponseSchema,
    );
    const { comments, users } = await this.listComments(ticketId);
    return mapTicket(show.data.ticket, comments, {
      connectionId: this.options.connectionId,
      baseUrl: this.http.baseURL,
      users: [...show.data.users, ...users],
      organizations: show.data.organizations,
    });
  }

  /**
   * Comments are written through the Tickets API; `public: false` is what keeps the note from
   * being emailed to the customer. The new comment's id is the id of the audit's Comment event
   * (comments are audit events), the same id the comments list later shows.
   */
  async addPrivateNote(ticketId: string, bodyHtml: string, also?: NoteAlso): Promise<{ id: string }> {
    const comment = { html_body: bodyHtml, public: false };
    if (also && (also.addTags?.length || Object.keys(also.customFields ?? {}).length)) {
      try {
        return await this.putComment(ticketId, {
          comment,
          ...(also.addTags?.length ? { tags: [...new Set([...also.current.tags, ...also.addTags])] } : {}),
          ...(also.customFields ? ticketFieldsOf({ customFields: also.customFields }) : {}),
          // `tags` replaces the whole list, so refuse to write over a change made since our read.
          safe_update: true,
          updated_stamp: also.current.updatedAt,
        });
      } catch (err) {
        if (!(isVendorApiError(err) && err.status === 409)) throw err;
        // Someone changed the ticket since we read it: note, then tags through the add endpoint.
        const note = await this.putComment(ticketId, { comment });
        await this.updateTicket(ticketId, { tags: { add: also.addTags ?? [] } });
        if (also.customFields) await this.updateTicket(ticketId, { customFields: also.customFields });
        return note;
      }
    }
    return this.putComment(ticketId, { comment });
  }

  private async putComment(ticketId: string, ticket: Record<string, unknown>): Promise<{ id: string }> {
    const res = await this.http.request(
      'addPrivateNote',
      { method: 'PUT', url: ticketPath(ticketId), data: { ticket } },
      addCommentResponseSchema,
      // A PUT, but it appends a comment: a blind retry after a timeout could post it twice.
      { idempotent: false },
    );
    const event = res.data.audit.events.find((e) => e.type === 'Comment');
    // The schema refuses an audit without a Comment event, so this is only for the compiler.
    return { id: event?.id ?? res.data.audit.id };
  }

  /**
   * Fields in one PUT. Tags go through the Tags endpoints instead: on PUT /tickets/{id} a
   * `tags` array replaces every tag and `additional_tags`/`remove_tags` are honoured only by
   * update_many, which runs as a background job. Add and remove tags need no read first.
   */
  async updateTicket(ticketId: string, patch: TicketPatch): Promise<void> {
    const fields = ticketFieldsOf(patch);
    if (Object.keys(fields).length > 0) {
      await this.http.request(
        'updateTicket',
        { method: 'PUT', url: ticketPath(ticketId), data: { ticket: fields } },
        updateTicketResponseSchema,
      );
    }
    const add = patch.tags?.add ?? [];
    const remove = patch.tags?.remove ?? [];
    if (add.length > 0) await this.changeTags('addTags', 'PUT', ticketId, add);
    if (remove.length > 0) await this.changeTags('removeTags', 'DELETE', ticketId, remove);
  }

  /** One page of the cursor-based incremental export. Loop while `endOfStream` is false. */
  async incrementalTickets(start: IncrementalStart): Promise<IncrementalTicketsPage> {
    const params = 'cursor' in start ? { cursor: start.cursor } : { start_time: start.startTime, per_page: INCREMENTAL_PAGE_SIZE };
    const res = await this.http.request(
      'incrementalTickets',
      { url: '/api/v2/incremental/tickets/cursor.json', params },
      incrementalTicketsResponseSchema,
    );
    return {
      tickets: res.data.tickets.map((t) => ({
        id: t.id,
        status: statusFromZendesk(t.status),
        vendorStatus: t.status,
        deleted: t.status.toLowerCase() === 'deleted',
        updatedAt: t.updated_at,
        raw: t,
      })),
      afterCursor: res.data.after_cursor ?? null,
      endOfStream: res.data.end_of_stream,
    };
  }

  /** GET /users/me.json: the user whose API token this is (check-config --online proves the token with it). */
  async whoAmI(): Promise<{ id: string; name: string | null; email: string | null }> {
    const res = await this.http.request('whoAmI', { url: '/api/v2/users/me.json' }, showUserResponseSchema, { idempotent: true });
    return { id: String(res.data.user.id), name: res.data.user.name ?? null, email: res.data.user.email ?? null };
  }

  async getUser(userId: string): Promise<Person> {
    const res = await this.http.request(
      'getUser',
      { url: `/api/v2/users/${encodeURIComponent(userId)}.json` },
      showUserResponseSchema,
    );
    return mapUser(res.data.user);
  }

  async getOrganization(organizationId: string): Promise<Organisation> {
    const res = await this.http.request(
      'getOrganization',
      { url: `/api/v2/organizations/${encodeURIComponent(organizationId)}.json` },
      showOrganizationResponseSchema,
    );
    return mapOrganization(res.data.organization);
  }

  /**
   * What the ticket's audits say about the change that produced its current state (first
   * sight, README). Audits come oldest first and the documented paging has no reverse order,
   * so every page is read; tickets rarely have more than a few pages of them.
   */
  async historyFacts(ticketId: string, atUpdatedAt: string | null): Promise<EventFacts | null> {
    const audits = await collect(
      paginate<ZendeskAudit, { after?: string }>({}, async (cursor) => {
        const res = await this.http.request(
          'listAudits',
          { url: `/api/v2/tickets/${encodeURIComponent(ticketId)}/audits.json`, params: this.pageParams(cursor.after) },
          auditsPageSchema,
        );
        return { items: res.data.audits, next: res.data.meta ? this.nextCursor(res.data.meta) : null };
      }),
    );
    const audit = auditAt(audits, atUpdatedAt);
    return audit ? auditFacts(audit) : null;
  }

  /** Every group that is not deleted, following cursor pages. */
  async listGroups(): Promise<Array<{ id: string; name: string }>> {
    const groups = await collect(
      paginate<{ id: string; name: string; deleted?: boolean }, { after?: string }>({}, async (cursor) => {
        const res = await this.http.request(
          'listGroups',
          { url: '/api/v2/groups.json', params: this.pageParams(cursor.after) },
          groupsPageSchema,
        );
        return { items: res.data.groups, next: this.nextCursor(res.data.meta) };
      }),
    );
    return groups.filter((g) => !g.deleted).map((g) => ({ id: g.id, name: g.name }));
  }

  private async changeTags(operation: string, method: 'PUT' | 'DELETE', ticketId: string, tags: string[]): Promise<void> {
    await this.http.request(
      operation,
      { method, url: `/api/v2/tickets/${encodeURIComponent(ticketId)}/tags.json`, data: { tags } },
      tagsResponseSchema,
    );
  }

  /** Every comment, oldest first (Zendesk's default order), with the users side-loaded by each page. */
  private async listComments(ticketId: string): Promise<{ comments: ZendeskComment[]; users: ZendeskUser[] }> {
    const users: ZendeskUser[] = [];
    const comments = await collect(
      paginate<ZendeskComment, { after?: string }>({}, async (cursor) => {
        const res = await this.http.request(
          'listComments',
          {
            url: `/api/v2/tickets/${encodeURIComponent(ticketId)}/comments.json`,
            params: { ...this.pageParams(cursor.after), include: 'users' },
          },
          commentsPageSchema,
        );
        users.push(...res.data.users);
        return { items: res.data.comments, next: this.nextCursor(res.data.meta) };
      }),
    );
    return { comments, users };
  }

  private pageParams(after: string | undefined): Record<string, string | number> {
    return after === undefined ? { 'page[size]': PAGE_SIZE } : { 'page[size]': PAGE_SIZE, 'page[after]': after };
  }

  /** A page that claims more but names no cursor ends the walk rather than looping on page one. */
  private nextCursor(meta: { has_more: boolean; after_cursor?: string | null }): { after: string } | null {
    return meta.has_more && meta.after_cursor ? { after: meta.after_cursor } : null;
  }
}
