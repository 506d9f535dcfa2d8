import type { Request } from 'express';
import type { SandboxApp } from '../core/sandbox-app';
import { notFound } from './errors';
import type { TicketChange, ZdTicket, ZdUser } from './model';
import { baseUrlOf, cursorPage, includes, queryParam } from './paging';
import { presentAudit, presentComment, presentOrganization, presentTicket, presentUser } from './present';
import { readTagsBody, readTicketBody } from './requests';
import { ticketSlas } from './slas';
import type { ZendeskState } from './state';
import { changeTags, createTicket, updateTicket } from './tickets';

export interface TicketRoutesDeps {
  state: ZendeskState;
  /** Fires the webhooks of a committed change. */
  publish: (change: TicketChange) => void;
}

/** A path id that is not a plain integer names no record: Zendesk answers 404. */
export function pathId(req: Request): number {
  const raw = req.params.id;
  if (typeof raw !== 'string' || !/^\d{1,19}$/.test(raw)) throw notFound();
  return Number(raw);
}

function ticketOf(state: ZendeskState, req: Request): ZdTicket {
  const ticket = state.tickets.get(pathId(req));
  if (!ticket) throw notFound();
  return ticket;
}

function usersOf(state: ZendeskState, ids: ReadonlyArray<number | null>): ZdUser[] {
  const unique = [...new Set(ids.filter((id): id is number => id !== null))];
  return unique.map((id) => state.users.get(id)).filter((u): u is ZdUser => u !== undefined);
}

/** Tickets: show (with side-loads: users, organizations, slas), comments and audits (cursor pages), create, update, and tags. */
export function registerTicketRoutes(app: SandboxApp, deps: TicketRoutesDeps): void {
  const { state, publish } = deps;

  app.route('GET', '/api/v2/tickets/:id.json', ({ req }) => {
    const ticket = ticketOf(state, req);
    const base = baseUrlOf(req);
    const body: Record<string, unknown> = { ticket: presentTicket(base, ticket) };
    // include=slas side-loads under the ticket itself, not at the top level like users.
    if (includes(req, 'slas')) body.ticket = { ...presentTicket(base, ticket), slas: ticketSlas(state, ticket) };
    if (includes(req, 'users')) {
      body.users = usersOf(state, [ticket.requesterId, ticket.submitterId, ticket.assigneeId]).map((u) => presentUser(base, u));
    }
    if (includes(req, 'organizations')) {
      const org = ticket.organizationId === null ? undefined : state.organizations.get(ticket.organizationId);
      body.organizations = org ? [presentOrganization(base, org)] : [];
    }
    return body;
  });

  app.route('GET', '/api/v2/tickets/:id/comments.json', ({ req }) => {
    const ticket = ticketOf(state, req);
    const base = baseUrlOf(req);
    const all = [...state.commentsOf(ticket.id)];
    if (queryParam(req, 'sort_order') === 'desc') all.reverse();
    const page = cursorPage(req, all, (c) => String(c.id));
    const body: Record<string, unknown> = { comments: page.items.map(presentComment), meta: page.meta, links: page.links };
    if (includes(req, 'users')) body.users = usersOf(state, page.items.map((c) => c.authorId)).map((u) => presentUser(base, u));
    return body;
  });

  // Oldest first with cursor pages, as Zendesk lists a ticket's audits.
  app.route('GET', '/api/v2/tickets/:id/audits.json', ({ req }) => {
    const ticket = ticketOf(state, req);
    const all = state.audits.filter((a) => a.ticketId === ticket.id);
    const page = cursorPage(req, all, (a) => String(a.id));
    return { audits: page.items.map((a) => presentAudit(state, a)), meta: page.meta, links: page.links };
  });

  app.route('POST', '/api/v2/tickets.json', ({ req, res, actor }) => {
    const change = createTicket(state, Number(actor), readTicketBody(req.body));
    publish(change);
    res.status(201);
    return { ticket: presentTicket(baseUrlOf(req), change.ticket), audit: presentAudit(state, change.audit) };
  });

  app.route('PUT', '/api/v2/tickets/:id.json', ({ req, actor }) => {
    const id = pathId(req);
    const change = updateTicket(state, Number(actor), id, readTicketBody(req.body));
    const base = baseUrlOf(req);
    if (!change) return { ticket: presentTicket(base, ticketOf(state, req)) };
    publish(change);
    return { ticket: presentTicket(base, change.ticket), audit: presentAudit(state, change.audit) };
  });

  app.route('GET', '/api/v2/tickets/:id/tags.json', ({ req }) => ({ tags: [...ticketOf(state, req).tags] }));

  const tagsRoute = (method: 'PUT' | 'POST' | 'DELETE', op: 'add' | 'set' | 'remove') =>
    app.route(method, '/api/v2/tickets/:id/tags.json', ({ req, actor }) => {
      const change = changeTags(state, Number(actor), pathId(req), op, readTagsBody(req.body));
      if (change) publish(change);
      return { tags: [...ticketOf(state, req).tags] };
    });
  tagsRoute('PUT', 'add');
  tagsRoute('POST', 'set');
  tagsRoute('DELETE', 'remove');
}
