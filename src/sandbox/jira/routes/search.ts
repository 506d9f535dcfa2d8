import { createHash } from 'node:crypto';
import type { SandboxApp } from '../../core/sandbox-app';
import { API, objectBody, type JiraContext } from '../context';
import { badRequest } from '../errors';
import { compileJql, JqlError, parseJql } from '../jql';
import { fieldSelection } from '../represent';

interface PageToken {
  /** Fingerprint of the JQL the token belongs to: a token is not valid for another query. */
  q: string;
  offset: number;
}

const fingerprint = (jql: string) => createHash('sha256').update(jql).digest('base64url').slice(0, 16);

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(raw: string, jql: string): number {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<PageToken>;
    if (t.q === fingerprint(jql) && typeof t.offset === 'number' && t.offset >= 0) return t.offset;
  } catch {
    // Falls through to Jira's answer for a token it cannot read.
  }
  throw badRequest(['The provided next page token is invalid or expired.']);
}

/**
 * POST /search/jql: the JQL subset of jql.ts, paged by an opaque nextPageToken that is absent
 * on the last page. Fields default to `id` only, as at Jira; 5000 per page only for id/key,
 * otherwise at most 100.
 */
export function searchRoutes(http: SandboxApp, ctx: JiraContext): void {
  http.route('POST', `${API}/search/jql`, ({ req }) => {
    const body = objectBody(req);
    const jql = typeof body.jql === 'string' ? body.jql : '';
    const fields = Array.isArray(body.fields) ? body.fields.filter((f): f is string => typeof f === 'string') : typeof body.fields === 'string' ? body.fields.split(',') : [];
    let compiled: ReturnType<typeof compileJql>;
    try {
      const query = parseJql(jql);
      if (query.clauses.length === 0) throw new JqlError('Unbounded JQL queries are not allowed here. Please add a search restriction to your query.');
      compiled = compileJql(query, ctx.state, ctx.now());
    } catch (err) {
      if (err instanceof JqlError) throw badRequest([err.message]);
      throw err;
    }
    const onlyIds = fields.every((f) => f === 'id' || f === 'key');
    const cap = onlyIds ? 5000 : 100;
    const asked = typeof body.maxResults === 'number' && body.maxResults > 0 ? Math.floor(body.maxResults) : 50;
    const pageSize = Math.min(asked, cap);
    const offset = typeof body.nextPageToken === 'string' && body.nextPageToken !== '' ? decodeToken(body.nextPageToken, jql) : 0;

    const all = [...ctx.state.issues.values()].filter(compiled.matches).sort(compiled.compare);
    const include = fieldSelection(fields, false);
    const issues = all.slice(offset, offset + pageSize).map((issue) => {
      const full = ctx.represent.issue(issue, include);
      // With no fields asked for, Jira's search/jql answers only the id.
      return fields.length === 0 ? { id: issue.id } : full;
    });
    const more = offset + pageSize < all.length;
    return { issues, ...(more ? { nextPageToken: encodeToken({ q: fingerprint(jql), offset: offset + pageSize }) } : {}), isLast: !more };
  });
}
