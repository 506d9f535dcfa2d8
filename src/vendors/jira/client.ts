import type { JiraIssue } from '../../domain/ticket';
import { VendorHttp, collect, paginate, type ErrorDetails } from '../core/http-client';
import { isVendorApiError } from '../core/errors';
import type {
  AdfDoc,
  JiraClientApi,
  JiraCreateIssueInput,
  JiraRemoteLink,
  JiraSearchPage,
  JiraTransition,
  VendorClientOptions,
} from '../types';
import { toJiraIssue, toJiraTransition } from './mapper';
import {
  commentPageSchema,
  myselfSchema,
  commentResponseSchema,
  createIssueResponseSchema,
  emptyResponseSchema,
  entityPropertySchema,
  errorBodySchema,
  issueSchema,
  remoteLinkResponseSchema,
  searchResponseSchema,
  transitionsResponseSchema,
  type RawComment,
  type RawIssue,
} from './schemas';

const API = '/rest/api/3';

/** The fields the canonical JiraIssue is built from; search always asks for them too. */
export const ISSUE_FIELDS: readonly string[] = [
  'summary',
  'status',
  'issuetype',
  'priority',
  'labels',
  'assignee',
  'resolution',
  'created',
  'updated',
];

/** GET issue also reads the comments (M1 mirrors the new ones); search carries them only when asked. */
const GET_ISSUE_FIELDS: readonly string[] = [...ISSUE_FIELDS, 'comment'];

const DEFAULT_PAGE_SIZE = 100;
/** Cloud's own default page; a page may still hold fewer, so the walk advances by what came back. */
const COMMENT_PAGE_SIZE = 100;

export interface JiraClientOptions extends VendorClientOptions {
  email: string;
  apiToken: string;
}

type EntityProperty = { key: string; value: unknown };

const seg = encodeURIComponent;
const issuePath = (idOrKey: string) => `${API}/issue/${seg(idOrKey)}`;

function describeValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Reads Jira's `{errorMessages: [], errors: {field: message}}`. The field map is kept apart so
 * a 400 on create names the field to fix; a bare `INVALID_INPUT` with no field usually means
 * malformed ADF (text straight in a list item or table cell, an empty text node, marks in a code block).
 */
export function errorDetails(body: unknown): ErrorDetails {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) {
    // Gateways in front of Jira answer 429/503 with short text; HTML pages say nothing useful.
    const text = typeof body === 'string' ? body.trim() : '';
    return { message: text && !text.startsWith('<') ? text.slice(0, 200) : '' };
  }
  const fields: Record<string, string> = {};
  for (const [field, value] of Object.entries(parsed.data.errors ?? {})) fields[field] = describeValue(value);
  const message = (parsed.data.errorMessages ?? []).join('; ');
  return Object.keys(fields).length ? { message, fields } : { message };
}

/** Jira Cloud REST API v3 with an API token (Basic email:token). */
export class JiraClient implements JiraClientApi {
  private readonly http: VendorHttp;

  constructor(private readonly options: JiraClientOptions) {
    this.http = new VendorHttp({
      vendor: 'jira',
      connectionId: options.connectionId,
      baseURL: options.baseUrl,
      auth: { username: options.email, password: options.apiToken },
      headers: { 'Content-Type': 'application/json' },
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      logger: options.logger,
      metrics: options.metrics,
      circuit: options.circuit,
      errorDetails,
    });
  }

  /** The API user: JQL date literals are read in its profile's time zone. */
  async myself(): Promise<{ accountId: string; timeZone: string | null }> {
    const res = await this.http.request('myself', { url: `${API}/myself` }, myselfSchema, { idempotent: true });
    return { accountId: res.data.accountId, timeZone: res.data.timeZone ?? null };
  }

  /** GET /myself, as a person reads it: the account whose API token this is (check-config --online). */
  async whoAmI(): Promise<{ id: string; name: string | null; email: string | null }> {
    const res = await this.http.request('whoAmI', { url: `${API}/myself` }, myselfSchema, { idempotent: true });
    const text = (v: unknown) => (typeof v === 'string' && v ? v : null);
    return { id: res.data.accountId, name: text(res.data.displayName), email: text(res.data.emailAddress) };
  }

  async getIssue(idOrKey: string): Promise<JiraIssue> {
    const res = await this.http.request(
      'getIssue',
      { url: issuePath(idOrKey), params: { fields: GET_ISSUE_FIELDS.join(',') } },
      issueSchema,
    );
    return this.toIssue(res.data);
  }

  async createIssue(input: JiraCreateIssueInput): Promise<{ id: string; key: string; self: string }> {
    // Properties ride on the create call itself so a duplicate from a retried POST can be found
    // by its marker: Jira Cloud's create takes no idempotency key.
    const body = { fields: input.fields, ...(input.properties?.length ? { properties: input.properties } : {}) };
    const res = await this.http.request(
      'createIssue',
      { method: 'POST', url: `${API}/issue`, data: body },
      createIssueResponseSchema,
    );
    return { id: res.data.id, key: res.data.key, self: res.data.self };
  }

  async addComment(idOrKey: string, body: AdfDoc, properties?: EntityProperty[]): Promise<{ id: string }> {
    const data = { body, ...(properties?.length ? { properties } : {}) };
    const res = await this.http.request(
      'addComment',
      { method: 'POST', url: `${issuePath(idOrKey)}/comment`, data },
      commentResponseSchema,
    );
    return { id: res.data.id };
  }

  async listTransitions(idOrKey: string): Promise<JiraTransition[]> {
    const res = await this.http.request(
      'listTransitions',
      { url: `${issuePath(idOrKey)}/transitions` },
      transitionsResponseSchema,
    );
    return res.data.transitions.map(toJiraTransition);
  }

  async doTransition(idOrKey: string, transitionId: string, comment?: AdfDoc): Promise<void> {
    const data = {
      transition: { id: transitionId },
      ...(comment ? { update: { comment: [{ add: { body: comment } }] } } : {}),
    };
    await this.http.request(
      'doTransition',
      { method: 'POST', url: `${issuePath(idOrKey)}/transitions`, data },
      emptyResponseSchema,
    );
  }

  async addRemoteLink(idOrKey: string, link: JiraRemoteLink): Promise<{ id: string }> {
    // Jira nulls every field left out of an upsert by globalId, so the whole object goes out.
    const res = await this.http.request(
      'addRemoteLink',
      { method: 'POST', url: `${issuePath(idOrKey)}/remotelink`, data: link },
      remoteLinkResponseSchema,
      { idempotent: true },
    );
    return { id: res.data.id };
  }

  async searchPage(
    jql: string,
    fields: string[],
    nextPageToken?: string | null,
    maxResults: number = DEFAULT_PAGE_SIZE,
  ): Promise<JiraSearchPage> {
    const data = {
      jql,
      fields: withIssueFields(fields),
      maxResults,
      ...(nextPageToken ? { nextPageToken } : {}),
    };
    const res = await this.http.request(
      'searchPage',
      { method: 'POST', url: `${API}/search/jql`, data },
      searchResponseSchema,
      { idempotent: true },
    );
    // An empty token would restart from page one; treat it as the end like null or isLast.
    const token = res.data.isLast === true ? null : res.data.nextPageToken || null;
    const issues: JiraIssue[] = [];
    // One at a time: only an issue with an incomplete comment page costs calls, and those are rare.
    for (const raw of res.data.issues) issues.push(await this.toIssue(raw));
    return { issues, nextPageToken: token };
  }

  search(jql: string, fields: string[] = [...ISSUE_FIELDS]): AsyncGenerator<JiraIssue> {
    // The first page has no token; `paginate` stops on a null cursor, so the first one is ''.
    return paginate<JiraIssue, string>('', async (token) => {
      const page = await this.searchPage(jql, fields, token || null);
      return { items: page.issues, next: page.nextPageToken };
    });
  }

  async getIssueProperty(idOrKey: string, key: string): Promise<unknown | null> {
    try {
      const res = await this.http.request(
        'getIssueProperty',
        { url: `${issuePath(idOrKey)}/properties/${seg(key)}` },
        entityPropertySchema,
      );
      return res.data.value;
    } catch (err) {
      if (isVendorApiError(err) && err.notFound) return null;
      throw err;
    }
  }

  async editIssue(idOrKey: string, edit: { fields?: Record<string, unknown>; update?: Record<string, unknown[]> }): Promise<void> {
    await this.http.request('editIssue', { method: 'PUT', url: issuePath(idOrKey), data: edit }, emptyResponseSchema);
  }

  async setIssueProperty(idOrKey: string, key: string, value: unknown): Promise<void> {
    await this.http.request(
      'setIssueProperty',
      // The body is the raw JSON value; JSON.stringify keeps a bare string a JSON string.
      { method: 'PUT', url: `${issuePath(idOrKey)}/properties/${seg(key)}`, data: JSON.stringify(value) },
      emptyResponseSchema,
    );
  }

  private async toIssue(raw: RawIssue): Promise<JiraIssue> {
    return toJiraIssue(raw, this.options.connectionId, this.options.baseUrl, await this.allComments(raw));
  }

  /**
   * The issue's comments when its answer carried the `comment` field. The embedded page is
   * capped (total > comments returned on a long thread), and which slice it holds is not
   * something to rely on, so then every page of the comment endpoint is read and merged in.
   */
  private async allComments(raw: RawIssue): Promise<RawComment[] | undefined> {
    const embedded = raw.fields.comment;
    if (!embedded) return undefined;
    if ((embedded.total ?? 0) <= embedded.comments.length) return embedded.comments;
    const byId = new Map(embedded.comments.map((c) => [c.id, c]));
    for (const c of await collect(this.commentPages(raw.id))) byId.set(c.id, c);
    return [...byId.values()];
  }

  /** GET /issue/{id}/comment, oldest first, page after page until `total` is reached. */
  private commentPages(issueId: string): AsyncGenerator<RawComment> {
    return paginate<RawComment, number>(0, async (startAt) => {
      const res = await this.http.request(
        'listComments',
        { url: `${issuePath(issueId)}/comment`, params: { startAt, maxResults: COMMENT_PAGE_SIZE, orderBy: 'created' } },
        commentPageSchema,
      );
      const { comments, total } = res.data;
      const next = startAt + comments.length;
      // An empty page ends the walk even if total says more: comments deleted meanwhile.
      const done = comments.length === 0 || (typeof total === 'number' && next >= total);
      return { items: comments, next: done ? null : next };
    });
  }
}

/** search/jql returns only `id` unless asked, so the canonical fields are always added. */
function withIssueFields(fields: string[]): string[] {
  return [...new Set([...ISSUE_FIELDS, ...fields])];
}
