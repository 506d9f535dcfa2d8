import type { Request } from 'express';
import { BodyReader, includes, jsonBody, pathId, queryParam } from './body-reader';
import { DEFAULT_SOURCE } from './account';
import { invalidValue, validationFailed, type FieldError } from './errors';
import { createTicket, updateTicket, type NewTicket } from './operations';
import { pageOf, readPage } from './pagination';
import { API, chargeIncludes, ticketOr404, type FreshdeskRoutes } from './routes-context';
import type { FdTicket, FreshdeskState } from './state';
import { triggeredEventOf } from './automations';
import { EMAIL_PATTERN, SHARED_TICKET_FIELDS, readTicketFields } from './ticket-fields';
import { ticketWire } from './wire';

/** Freshdesk's /tickets refuses pages past 300 ("You cannot access tickets beyond the 300th page"). */
export const TICKET_PAGE_WALL = 300;
/** Without a filter, the list shows tickets created in the last 30 days only. */
const DEFAULT_WINDOW_MS = 30 * 86_400_000;

const CREATE_FIELDS = [...SHARED_TICKET_FIELDS, 'email', 'requester_id', 'name', 'cc_emails'];
const UPDATE_FIELDS = [...SHARED_TICKET_FIELDS, 'requester_id'];
const ORDER_BY = ['created_at', 'due_by', 'updated_at', 'status'] as const;
type OrderBy = (typeof ORDER_BY)[number];

export function registerTicketRoutes(routes: FreshdeskRoutes): void {
  const { http, state, automations } = routes;

  // Freshdesk records no creator on a ticket: the caller only has to be an agent.
  http.route('POST', `${API}/tickets`, ({ req, res }) => {
    const ticket = createFromBody(state, jsonBody(req));
    automations.ticketCreated(ticket);
    res.status(201);
    return ticketWire(state, ticket, { description: true });
  });

  http.route('GET', `${API}/tickets`, ({ req, res }) => {
    const include = includes(req, ['requester', 'stats', 'description']);
    chargeIncludes(routes, res, include.size);
    const page = pageOf(req, res, listTickets(state, req), readTicketPage(req));
    return page.map((t) =>
      ticketWire(state, t, { description: include.has('description'), requester: include.has('requester'), stats: include.has('stats') }),
    );
  });

  http.route('GET', `${API}/tickets/:id`, ({ req, res }) => {
    const ticket = ticketOr404(state, pathId(req));
    const include = includes(req, ['conversations', 'requester', 'company', 'stats']);
    chargeIncludes(routes, res, include.size);
    return ticketWire(state, ticket, {
      description: true,
      requester: include.has('requester'),
      company: include.has('company'),
      conversations: include.has('conversations'),
      stats: include.has('stats'),
    });
  });

  http.route('PUT', `${API}/tickets/:id`, ({ req }) => {
    const ticket = ticketOr404(state, pathId(req));
    const reader = new BodyReader(jsonBody(req), UPDATE_FIELDS);
    const patch = readTicketFields(reader, state);
    const requesterId = reader.integer('requester_id');
    if (typeof requesterId === 'number') {
      if (state.contacts.has(requesterId) || state.agents.has(requesterId)) patch.requesterId = requesterId;
      else reader.fail(invalidValue('requester_id', 'There is no contact matching the given requester_id'));
    }
    reader.throwIfInvalid();
    const changes = updateTicket(state, ticket, patch);
    if (changes.length > 0) automations.ticketUpdated(ticket, triggeredEventOf(changes));
    return ticketWire(state, ticket, { description: true });
  });
}

function createFromBody(state: FreshdeskState, body: Record<string, unknown>): FdTicket {
  const reader = new BodyReader(body, CREATE_FIELDS);
  const fields = readTicketFields(reader, state);
  if (fields.subject === undefined && !reader.has('subject')) reader.missing('subject', 'String');
  if (fields.descriptionHtml === undefined && !reader.has('description')) reader.missing('description', 'String');
  const ccEmails = reader.stringArray('cc_emails') ?? [];
  const requester = resolveRequester(reader, state);
  reader.throwIfInvalid();
  if (!requester) throw validationFailed(reader.errors);

  const requesterId = requester.id ?? createContact(state, requester.email, requester.name).id;
  const contactCompany = state.contacts.get(requesterId)?.companyId ?? null;
  const input: NewTicket = {
    subject: fields.subject ?? '',
    descriptionHtml: fields.descriptionHtml ?? '',
    status: fields.status ?? 2,
    priority: fields.priority ?? 1,
    source: fields.source ?? DEFAULT_SOURCE,
    type: fields.type ?? null,
    requesterId,
    responderId: fields.responderId ?? null,
    groupId: fields.groupId ?? null,
    companyId: fields.companyId !== undefined ? fields.companyId : contactCompany,
    tags: fields.tags ?? [],
    customFields: fields.customFields ?? {},
    ccEmails,
  };
  return createTicket(state, input);
}

type Requester = { id: number; email: string; name: string } | { id: null; email: string; name: string };

/** requester_id, or an email that names a known user or becomes a new contact. */
function resolveRequester(reader: BodyReader, state: FreshdeskState): Requester | null {
  const requesterId = reader.integer('requester_id');
  const email = reader.string('email');
  const name = reader.string('name');
  if (typeof requesterId === 'number') {
    const knownEmail = state.userEmail(requesterId);
    if (knownEmail !== null) return { id: requesterId, email: knownEmail, name: state.userName(requesterId) ?? knownEmail };
    reader.fail(invalidValue('requester_id', 'There is no contact matching the given requester_id'));
    return null;
  }
  if (email !== undefined) {
    if (!EMAIL_PATTERN.test(email)) {
      reader.fail(invalidValue('email', "It should be in the 'valid email address' format"));
      return null;
    }
    const known = state.contactByEmail(email) ?? state.agentByEmail(email);
    if (known) return { id: known.id, email: known.email, name: known.name };
    return { id: null, email, name: name?.trim() || email.slice(0, email.indexOf('@')) };
  }
  if (!reader.has('requester_id') && !reader.has('email')) {
    reader.fail({
      field: 'requester_id',
      message: 'Please fill at least 1 of email, mobile, phone, requester_id, twitter_id, facebook_id, unique_external_id fields',
      code: 'missing_field',
    });
  }
  return null;
}

/** A new requester becomes a contact, linked to the company whose domains hold its email's domain. */
function createContact(state: FreshdeskState, email: string, name: string) {
  const at = state.timestamp();
  const contact = { id: state.nextContactId++, name, email, companyId: state.companyForEmail(email)?.id ?? null, createdAt: at, updatedAt: at };
  state.contacts.set(contact.id, contact);
  return contact;
}

function readTicketPage(req: Request) {
  const page = readPage(req);
  if (page.page > TICKET_PAGE_WALL) {
    throw validationFailed([invalidValue('page', 'You cannot access tickets beyond the 300th page. Please provide a smaller page number.')]);
  }
  return page;
}

/** The filtered, ordered list before paging. */
function listTickets(state: FreshdeskState, req: Request): FdTicket[] {
  const errors: FieldError[] = [];
  const updatedSinceRaw = queryParam(req, 'updated_since');
  const updatedSince = updatedSinceRaw === undefined ? null : Date.parse(updatedSinceRaw);
  if (updatedSince !== null && Number.isNaN(updatedSince)) errors.push(invalidValue('updated_since', "It should be in the 'combined date and time ISO8601' format"));
  const orderByRaw = queryParam(req, 'order_by') ?? 'created_at';
  const orderBy = ORDER_BY.find((o) => o === orderByRaw);
  if (!orderBy) errors.push(invalidValue('order_by', `It should be one of these values: '${ORDER_BY.join(',')}'`));
  const orderType = queryParam(req, 'order_type') ?? 'desc';
  if (orderType !== 'asc' && orderType !== 'desc') errors.push(invalidValue('order_type', "It should be one of these values: 'asc,desc'"));
  const requesterId = numericQuery(req, 'requester_id', errors);
  const companyId = numericQuery(req, 'company_id', errors);
  const email = queryParam(req, 'email');
  if (errors.length > 0 || !orderBy) throw validationFailed(errors);

  const requesterByEmail = email === undefined ? undefined : (state.contactByEmail(email)?.id ?? state.agentByEmail(email)?.id ?? -1);
  const filtered = updatedSince !== null || requesterId !== null || companyId !== null || requesterByEmail !== undefined;
  const windowStart = Date.parse(state.timestamp()) - DEFAULT_WINDOW_MS;
  const tickets = [...state.tickets.values()].filter(
    (t) =>
      (updatedSince === null || Date.parse(t.updatedAt) >= updatedSince) &&
      (requesterId === null || t.requesterId === requesterId) &&
      (companyId === null || t.companyId === companyId) &&
      (requesterByEmail === undefined || t.requesterId === requesterByEmail) &&
      (filtered || Date.parse(t.createdAt) >= windowStart),
  );
  const direction = orderType === 'asc' ? 1 : -1;
  return tickets.sort((a, b) => direction * (compareBy(a, b, orderBy) || a.id - b.id));
}

function compareBy(a: FdTicket, b: FdTicket, orderBy: OrderBy): number {
  switch (orderBy) {
    case 'status':
      return a.status - b.status;
    case 'due_by':
      return Date.parse(a.dueBy) - Date.parse(b.dueBy);
    case 'updated_at':
      return Date.parse(a.updatedAt) - Date.parse(b.updatedAt);
    case 'created_at':
      return Date.parse(a.createdAt) - Date.parse(b.createdAt);
  }
}

function numericQuery(req: Request, name: string, errors: FieldError[]): number | null {
  const raw = queryParam(req, name);
  if (raw === undefined) return null;
  if (/^\d{1,16}$/.test(raw)) return Number(raw);
  errors.push(invalidValue(name, 'It should be a/an Positive Integer'));
  return null;
}
