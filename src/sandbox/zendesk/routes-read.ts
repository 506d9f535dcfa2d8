import type { Request } from 'express';
import type { SandboxApp } from '../core/sandbox-app';
import { badRequest, notFound } from './errors';
import type { ZdTicket, ZdUser } from './model';
import { baseUrlOf, cursorPage, includes, queryParam } from './paging';
import { presentGroup, presentOrganization, presentTicket, presentUser } from './present';
import { pathId } from './routes-tickets';
import type { ZendeskState } from './state';

/** Zendesk's incremental export page size: 1000 by default and at most. */
const INCREMENTAL_MAX = 1000;

function encodeExportCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64');
}

function decodeExportCursor(cursor: string): number {
  const m = /^seq:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!m?.[1]) throw badRequest('InvalidPaginationParameter', 'cursor is invalid');
  return Number(m[1]);
}

function perPage(req: Request): number {
  const raw = queryParam(req, 'per_page');
  if (raw === undefined) return INCREMENTAL_MAX;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw badRequest('InvalidValue', 'per_page must be a positive integer');
  return Math.min(n, INCREMENTAL_MAX);
}

/**
 * GET /api/v2/incremental/tickets/cursor.json: `start_time` (Unix seconds) on the first call,
 * `cursor` after. Tickets come in the order they last changed; `after_cursor` is always given
 * so a poller can resume from it after `end_of_stream`. Zendesk leaves out the last minute's
 * changes; the sandbox does not, so demos see their changes at once.
 */
function incrementalTickets(state: ZendeskState, req: Request): Record<string, unknown> {
  const cursor = queryParam(req, 'cursor');
  const startTime = queryParam(req, 'start_time');
  const ordered = [...state.tickets.values()].sort((a, b) => a.changeSeq - b.changeSeq);
  let from: number;
  let candidates: ZdTicket[];
  if (cursor !== undefined) {
    from = decodeExportCursor(cursor);
    candidates = ordered.filter((t) => t.changeSeq > from);
  } else if (startTime !== undefined) {
    const seconds = Number(startTime);
    if (!/^\d+$/.test(startTime) || !Number.isSafeInteger(seconds)) throw badRequest('InvalidValue', 'start_time is invalid');
    candidates = ordered.filter((t) => Date.parse(t.updatedAt) >= seconds * 1000);
    from = state.currentChangeSeq;
  } else {
    throw badRequest('InvalidValue', 'start_time or cursor is required');
  }
  const size = perPage(req);
  const page = candidates.slice(0, size);
  const last = page[page.length - 1];
  const afterCursor = last ? encodeExportCursor(last.changeSeq) : cursor ?? encodeExportCursor(from);
  const base = baseUrlOf(req);
  const body: Record<string, unknown> = {
    tickets: page.map((t) => presentTicket(base, t, true)),
    after_cursor: afterCursor,
    after_url: `${base}/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(afterCursor)}`,
    before_cursor: null,
    before_url: null,
    end_of_stream: candidates.length <= size,
  };
  if (includes(req, 'users')) {
    const ids = new Set(page.flatMap((t) => [t.requesterId, t.submitterId, t.assigneeId]).filter((id): id is number => id !== null));
    body.users = [...ids].map((id) => state.users.get(id)).filter((u): u is ZdUser => u !== undefined).map((u) => presentUser(base, u));
  }
  if (includes(req, 'organizations')) {
    const ids = new Set(page.map((t) => t.organizationId).filter((id): id is number => id !== null));
    body.organizations = [...ids].flatMap((id) => {
      const org = state.organizations.get(id);
      return org ? [presentOrganization(base, org)] : [];
    });
  }
  return body;
}

/** Users, organizations, groups and the incremental export. */
export function registerReadRoutes(app: SandboxApp, state: ZendeskState): void {
  // Registered before /users/:id.json, whose pattern would otherwise take "me".
  app.route('GET', '/api/v2/users/me.json', ({ req, actor }) => {
    const user = state.users.get(Number(actor));
    if (!user) throw notFound();
    return { user: presentUser(baseUrlOf(req), user) };
  });

  app.route('GET', '/api/v2/users/:id.json', ({ req }) => {
    const user = state.users.get(pathId(req));
    if (!user) throw notFound();
    return { user: presentUser(baseUrlOf(req), user) };
  });

  app.route('GET', '/api/v2/organizations/:id.json', ({ req }) => {
    const org = state.organizations.get(pathId(req));
    if (!org) throw notFound();
    return { organization: presentOrganization(baseUrlOf(req), org) };
  });

  app.route('GET', '/api/v2/groups.json', ({ req }) => {
    const all = [...state.groups.values()].sort((a, b) => a.id - b.id);
    const page = cursorPage(req, all, (g) => String(g.id));
    return { groups: page.items.map((g) => presentGroup(baseUrlOf(req), g)), meta: page.meta, links: page.links };
  });

  app.route('GET', '/api/v2/incremental/tickets/cursor.json', ({ req }) => incrementalTickets(state, req));
}
