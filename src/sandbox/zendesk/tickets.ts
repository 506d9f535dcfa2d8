import { resolveAssignment } from './assignment';
import { forbidden, notFound, recordInvalid, updateConflict } from './errors';
import {
  ZD_PRIORITIES,
  ZD_STATUSES,
  ZD_TYPES,
  type AuditEvent,
  type FieldChange,
  type TicketChange,
  type ZdComment,
  type ZdCustomField,
  type ZdPriority,
  type ZdTicket,
  type ZdType,
  type ZdUser,
} from './model';
import type { CommentInput, TicketInput } from './requests';
import type { ZendeskState } from './state';
import { htmlToText, textToHtml, wrapHtml } from './text';

/** Zendesk refuses a comment past this many on one ticket. */
const MAX_COMMENTS = 5000;

interface CommentDraft {
  authorId: number;
  body: string;
  htmlBody: string;
  public: boolean;
}

function userOf(state: ZendeskState, id: number): ZdUser {
  const user = state.users.get(id);
  if (!user) throw notFound();
  return user;
}

function ticketOf(state: ZendeskState, id: number): ZdTicket {
  const ticket = state.tickets.get(id);
  if (!ticket) throw notFound();
  return ticket;
}

/**
 * Only admins (the integration user among them) may write as someone else: that is how the
 * demo plays a requester's reply. Agents posting as another user get Zendesk's 403.
 */
function actingAs(state: ZendeskState, actor: ZdUser, wanted: number | undefined, field: string): ZdUser {
  if (wanted === undefined || wanted === actor.id) return actor;
  if (actor.role !== 'admin') throw forbidden();
  const user = state.users.get(wanted);
  if (!user) throw recordInvalid({ [field]: `${field}: ${wanted} is invalid` });
  return user;
}

function checkEnum<T extends string>(values: readonly T[], value: string | null | undefined, field: string, label: string): T | null | undefined {
  if (value === undefined || value === null) return value;
  const v = value.toLowerCase();
  if (!(values as readonly string[]).includes(v)) throw recordInvalid({ [field]: `${label}: ${value} is not valid` });
  return v as T;
}

/** Zendesk tags are single lower-case words: "Jira Bug" is the two tags "jira" and "bug". */
export function normaliseTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags.flatMap((s) => s.trim().toLowerCase().split(/\s+/))) {
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** The comment to add, or null when its body is blank: Zendesk drops those without an error. */
function draftComment(input: CommentInput | undefined, author: ZdUser): CommentDraft | null {
  if (!input) return null;
  const html = input.html_body?.trim() ? input.html_body : undefined;
  if (html !== undefined) return { authorId: author.id, body: htmlToText(html), htmlBody: wrapHtml(html), public: input.public ?? true };
  const body = input.body?.trim() ? input.body : undefined;
  if (body === undefined) return null;
  return { authorId: author.id, body, htmlBody: textToHtml(body), public: input.public ?? true };
}

function organizationIdOf(state: ZendeskState, id: number | null | undefined): number | null | undefined {
  if (id === undefined || id === null) return id;
  if (!state.organizations.has(id)) throw recordInvalid({ organization_id: `Organization: ${id} is invalid` });
  return id;
}

function mergeCustomFields(current: readonly ZdCustomField[], input: TicketInput['custom_fields']): { fields: ZdCustomField[]; changes: FieldChange[] } {
  const fields = current.map((f) => ({ ...f }));
  const changes: FieldChange[] = [];
  for (const { id, value } of input ?? []) {
    const existing = fields.find((f) => f.id === id);
    const previous = existing ? existing.value : null;
    if (JSON.stringify(previous) === JSON.stringify(value ?? null)) continue;
    if (existing) existing.value = value ?? null;
    else fields.push({ id, value: value ?? null });
    changes.push({ field: 'custom_field', id, previous, current: value ?? null });
  }
  return { fields, changes };
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t) => b.includes(t));
}

/** Stamps, stores the comment and the audit: the one place a ticket write is committed. */
function commit(state: ZendeskState, ticket: ZdTicket, actorId: number, changes: FieldChange[], draft: CommentDraft | null, created: boolean): TicketChange {
  const at = state.changeTime(created ? null : ticket.updatedAt);
  ticket.updatedAt = at;
  if (created) ticket.createdAt = at;
  ticket.changeSeq = state.nextChangeSeq();
  const auditId = state.nextRecordId();
  const events: AuditEvent[] = [];
  let comment: ZdComment | null = null;
  if (draft) {
    comment = { id: state.nextRecordId(), ticketId: ticket.id, auditId, ...draft, plainBody: draft.body, createdAt: at };
    state.commentsOf(ticket.id).push(comment);
    events.push({ id: comment.id, type: 'Comment', commentId: comment.id });
  }
  for (const change of changes) events.push({ id: state.nextRecordId(), type: created ? 'Create' : 'Change', change });
  const audit = { id: auditId, ticketId: ticket.id, authorId: actorId, createdAt: at, events };
  state.audits.push(audit);
  state.tickets.set(ticket.id, ticket);
  return { ticket: structuredClone(ticket), actorId, created, comment, changes, audit, at };
}

/** Requester by id, by known email, or a new end user placed in an organisation by email domain. */
function requesterFor(state: ZendeskState, input: TicketInput, submitter: ZdUser): ZdUser {
  if (input.requester_id !== undefined) {
    const user = state.users.get(input.requester_id);
    if (!user) throw recordInvalid({ requester_id: `Requester: ${input.requester_id} is invalid` });
    return user;
  }
  if (!input.requester) return submitter;
  const email = input.requester.email.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw recordInvalid({ requester: `Requester: Email: ${email} is not properly formatted` });
  const known = state.userByEmail(email);
  if (known) return known;
  const at = state.timestamp();
  const user: ZdUser = {
    id: state.nextUserId(),
    name: input.requester.name?.trim() || email.split('@')[0] || email,
    email,
    role: 'end-user',
    organizationId: state.organizationForEmail(email)?.id ?? null,
    groupIds: [],
    apiToken: null,
    createdAt: at,
    updatedAt: at,
  };
  state.users.set(user.id, user);
  return user;
}

export function createTicket(state: ZendeskState, actorId: number, input: TicketInput): TicketChange {
  const actor = userOf(state, actorId);
  const submitter = actingAs(state, actor, input.submitter_id, 'submitter_id');
  const status = checkEnum(ZD_STATUSES, input.status, 'status', 'Status');
  const priority = checkEnum(ZD_PRIORITIES, input.priority, 'priority', 'Priority') ?? null;
  const type = checkEnum(ZD_TYPES, input.type, 'type', 'Type') ?? null;
  const author = actingAs(state, submitter, input.comment?.author_id, 'author_id');
  const draft = draftComment(input.comment, author);
  if (!draft) throw recordInvalid({ description: 'Description: cannot be blank' });
  const assignment = resolveAssignment(state, { groupId: null, assigneeId: null }, { groupId: input.group_id, assigneeId: input.assignee_id });
  const assigned = assignment.assigneeId !== null;
  const explicitOrg = organizationIdOf(state, input.organization_id);
  // Validation is over: only now may a new requester be created.
  const requester = requesterFor(state, input, submitter);
  const organizationId = explicitOrg === undefined ? requester.organizationId : explicitOrg;
  const { fields: customFields, changes: fieldChanges } = mergeCustomFields([], input.custom_fields);
  const ticket: ZdTicket = {
    id: state.nextTicketId(),
    subject: input.subject?.trim() || draft.body.slice(0, 80),
    description: draft.body,
    // Zendesk opens a ticket that is assigned at creation.
    status: !status || status === 'new' ? (assigned ? 'open' : 'new') : status,
    priority,
    type,
    requesterId: requester.id,
    submitterId: submitter.id,
    assigneeId: assignment.assigneeId,
    groupId: assignment.groupId,
    organizationId,
    tags: normaliseTags(input.tags ?? []),
    customFields,
    isPublic: draft.public,
    createdAt: '',
    updatedAt: '',
    changeSeq: 0,
  };
  const changes: FieldChange[] = [
    { field: 'subject', previous: null, current: ticket.subject },
    { field: 'requester_id', previous: null, current: ticket.requesterId },
    { field: 'status', previous: null, current: ticket.status },
    ...(ticket.priority ? [{ field: 'priority' as const, previous: null, current: ticket.priority }] : []),
    ...(ticket.type ? [{ field: 'type' as const, previous: null, current: ticket.type }] : []),
    ...(ticket.groupId !== null ? [{ field: 'group_id' as const, previous: null, current: ticket.groupId }] : []),
    ...(ticket.assigneeId !== null ? [{ field: 'assignee_id' as const, previous: null, current: ticket.assigneeId }] : []),
    ...(ticket.organizationId !== null ? [{ field: 'organization_id' as const, previous: null, current: ticket.organizationId }] : []),
    ...(ticket.tags.length ? [{ field: 'tags' as const, previous: [], current: ticket.tags }] : []),
    ...fieldChanges,
  ];
  return commit(state, ticket, author.id, changes, draft, true);
}

function pushIfChanged<K extends 'status' | 'priority' | 'type' | 'group_id' | 'assignee_id' | 'organization_id'>(
  changes: FieldChange[],
  field: K,
  previous: string | number | null,
  current: string | number | null,
): void {
  if (previous !== current) changes.push({ field, previous, current });
}

function refuseClosed(ticket: ZdTicket): void {
  if (ticket.status === 'closed') throw recordInvalid({ status: 'Status: closed prevents ticket update' });
}

/**
 * PUT /tickets/{id}: fields and an optional comment in one audit. Null when nothing changed and
 * no comment was added (Zendesk answers the ticket without an audit and fires nothing).
 */
export function updateTicket(state: ZendeskState, actorId: number, ticketId: number, input: TicketInput): TicketChange | null {
  const actor = userOf(state, actorId);
  const stored = ticketOf(state, ticketId);
  refuseClosed(stored);
  if (input.safe_update && input.updated_stamp !== undefined && Date.parse(input.updated_stamp) !== Date.parse(stored.updatedAt)) {
    throw updateConflict();
  }
  const status = checkEnum(ZD_STATUSES, input.status, 'status', 'Status');
  const priority = checkEnum(ZD_PRIORITIES, input.priority, 'priority', 'Priority');
  const type = checkEnum(ZD_TYPES, input.type, 'type', 'Type');
  const author = actingAs(state, actor, input.comment?.author_id, 'author_id');
  const draft = draftComment(input.comment, author);
  if (draft && state.commentsOf(ticketId).length >= MAX_COMMENTS) {
    throw recordInvalid({ base: `Ticket: cannot have more than ${MAX_COMMENTS} comments` });
  }
  const assignment = resolveAssignment(state, stored, { groupId: input.group_id, assigneeId: input.assignee_id });
  const organizationId = organizationIdOf(state, input.organization_id);
  const { fields: customFields, changes: fieldChanges } = mergeCustomFields(stored.customFields, input.custom_fields);

  const next: ZdTicket = { ...stored, tags: [...stored.tags], customFields, groupId: assignment.groupId, assigneeId: assignment.assigneeId };
  if (status !== undefined && status !== null) next.status = status;
  else if (draft && author.role === 'end-user' && draft.public && (stored.status === 'pending' || stored.status === 'solved')) {
    // A requester's reply reopens a pending or solved ticket, as Zendesk does.
    next.status = 'open';
  } else if (stored.status === 'new' && assignment.assigneeId !== null) {
    next.status = 'open';
  }
  if (priority !== undefined) next.priority = priority as ZdPriority | null;
  if (type !== undefined) next.type = type as ZdType | null;
  if (organizationId !== undefined) next.organizationId = organizationId;
  if (input.tags !== undefined) next.tags = normaliseTags(input.tags);

  const changes: FieldChange[] = [];
  pushIfChanged(changes, 'status', stored.status, next.status);
  pushIfChanged(changes, 'priority', stored.priority, next.priority);
  pushIfChanged(changes, 'type', stored.type, next.type);
  pushIfChanged(changes, 'group_id', stored.groupId, next.groupId);
  pushIfChanged(changes, 'assignee_id', stored.assigneeId, next.assigneeId);
  pushIfChanged(changes, 'organization_id', stored.organizationId, next.organizationId);
  if (!sameTags(stored.tags, next.tags)) changes.push({ field: 'tags', previous: [...stored.tags], current: [...next.tags] });
  changes.push(...fieldChanges);
  if (changes.length === 0 && !draft) return null;

  Object.assign(stored, next);
  return commit(state, stored, author.id, changes, draft, false);
}

/** The Tags endpoints: add (PUT), remove (DELETE), replace (POST). Null when the tags did not change. */
export function changeTags(state: ZendeskState, actorId: number, ticketId: number, op: 'add' | 'remove' | 'set', tags: readonly string[]): TicketChange | null {
  userOf(state, actorId);
  const ticket = ticketOf(state, ticketId);
  refuseClosed(ticket);
  const given = normaliseTags(tags);
  const next =
    op === 'set' ? given : op === 'add' ? normaliseTags([...ticket.tags, ...given]) : ticket.tags.filter((t) => !given.includes(t));
  if (sameTags(ticket.tags, next)) return null;
  const change: FieldChange = { field: 'tags', previous: [...ticket.tags], current: next };
  ticket.tags = next;
  return commit(state, ticket, actorId, [change], null, false);
}
