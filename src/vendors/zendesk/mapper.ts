import type {
  CanonicalPriority,
  CanonicalStatus,
  HelpdeskSla,
  HelpdeskSlaTarget,
  Organisation,
  Person,
  PersonRole,
  Ticket,
  TicketComment,
} from '../../domain/ticket';
import type { ZendeskComment, ZendeskOrganization, ZendeskSlaPolicyMetric, ZendeskStatus, ZendeskTicket, ZendeskTicketSlas, ZendeskUser } from './schemas';

/**
 * Pure functions from Zendesk records to the canonical model. Nothing here calls the API: the
 * client hands in the ticket, its comments and whatever users and organizations Zendesk
 * side-loaded with them.
 */

const STATUS_TO_CANONICAL: Record<ZendeskStatus, CanonicalStatus> = {
  new: 'open',
  open: 'open',
  pending: 'pending',
  hold: 'on_hold',
  solved: 'resolved',
  closed: 'closed',
};

// Zendesk has no "in progress": an agent working a ticket keeps it open.
const CANONICAL_TO_STATUS: Record<CanonicalStatus, ZendeskStatus> = {
  open: 'open',
  pending: 'pending',
  in_progress: 'open',
  on_hold: 'hold',
  resolved: 'solved',
  closed: 'closed',
};

const PRIORITIES: readonly CanonicalPriority[] = ['low', 'normal', 'high', 'urgent'];
const ROLES: readonly PersonRole[] = ['end-user', 'agent', 'admin'];

/** Case-insensitive, because webhook bodies spell enums "OPEN" or "Open". Null when unknown. */
export function statusFromZendesk(status: string): CanonicalStatus | null {
  const key = status.toLowerCase();
  return Object.hasOwn(STATUS_TO_CANONICAL, key) ? STATUS_TO_CANONICAL[key as ZendeskStatus] : null;
}

export function statusToZendesk(status: CanonicalStatus): ZendeskStatus {
  return CANONICAL_TO_STATUS[status];
}

export function priorityFromZendesk(priority: string | null | undefined): CanonicalPriority | null {
  const key = priority?.toLowerCase();
  return PRIORITIES.find((p) => p === key) ?? null;
}

export function roleFromZendesk(role: string | null | undefined): PersonRole {
  const key = role?.toLowerCase();
  return ROLES.find((r) => r === key) ?? 'unknown';
}

export function mapUser(user: ZendeskUser): Person {
  return {
    id: user.id,
    name: user.name ?? null,
    email: user.email ?? null,
    role: roleFromZendesk(user.role),
    organisationId: user.organization_id,
  };
}

export function mapOrganization(org: ZendeskOrganization): Organisation {
  return { id: org.id, name: org.name, domains: [...org.domain_names] };
}

export function ticketUrl(baseUrl: string, ticketId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/agent/tickets/${ticketId}`;
}

export interface ZendeskMapContext {
  connectionId: string;
  /** https://acme.zendesk.com, without /api/v2. */
  baseUrl: string;
  /** Side-loaded users (requester, comment authors); duplicates are harmless. */
  users: readonly ZendeskUser[];
  organizations: readonly ZendeskOrganization[];
}

function indexById<T extends { id: string }>(records: readonly T[]): Map<string, T> {
  return new Map(records.map((r) => [r.id, r]));
}

export function mapComment(comment: ZendeskComment, requesterId: string | null, users: Map<string, ZendeskUser>): TicketComment {
  const authorRecord = comment.author_id === null ? undefined : users.get(comment.author_id);
  const author = authorRecord ? mapUser(authorRecord) : null;
  const byRequester = requesterId !== null && comment.author_id === requesterId;
  return {
    id: comment.id,
    authorId: comment.author_id,
    author,
    public: comment.public,
    incoming: byRequester || author?.role === 'end-user',
    // Zendesk leaves plain_body out on comments created through the API with `body`.
    bodyText: comment.plain_body ?? comment.body ?? '',
    bodyHtml: comment.html_body ?? null,
    createdAt: comment.created_at,
    ...attachmentsOf(comment),
  };
}

/** Set only where Zendesk listed files, so a comment without any stays as it was. */
function attachmentsOf(comment: ZendeskComment): Pick<TicketComment, 'attachments'> {
  const files = (comment.attachments ?? []).flatMap((a) => (a.file_name && a.content_url ? [{ name: a.file_name, url: a.content_url }] : []));
  return files.length ? { attachments: files } : {};
}

/**
 * A requester Zendesk did not side-load still has an id worth keeping: the Ticket has no other
 * place for it, and the worker can fetch the user later.
 */
function requesterOf(ticket: ZendeskTicket, users: Map<string, ZendeskUser>): Person | null {
  if (ticket.requester_id === null) return null;
  const user = users.get(ticket.requester_id);
  if (user) return mapUser(user);
  return { id: ticket.requester_id, name: null, email: null, role: 'unknown', organisationId: ticket.organization_id };
}

function organisationOf(ticket: ZendeskTicket, orgs: readonly ZendeskOrganization[]): Organisation | null {
  if (ticket.organization_id === null) return null;
  const org = orgs.find((o) => o.id === ticket.organization_id);
  return org ? mapOrganization(org) : null;
}

function customFieldsOf(ticket: ZendeskTicket): Record<string, unknown> {
  return Object.fromEntries(ticket.custom_fields.map((f) => [f.id, f.value ?? null]));
}

type SlaStage = HelpdeskSlaTarget['stage'];
const SLA_STAGES: readonly string[] = ['active', 'paused', 'achieved'];
/** The metrics that measure resolution; the earliest one to breach is the ticket's resolution target. */
const RESOLUTION_METRICS: readonly string[] = ['agent_work_time', 'requester_wait_time'];

function slaStage(stage: string | null | undefined): SlaStage {
  const key = stage?.toLowerCase() ?? '';
  return SLA_STAGES.includes(key) ? (key as SlaStage) : null;
}

/** breach_at as ISO UTC; null when absent or unreadable. */
function breachAt(metric: ZendeskSlaPolicyMetric): string | null {
  const ms = metric.breach_at ? Date.parse(metric.breach_at) : NaN;
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function targetOf(metric: ZendeskSlaPolicyMetric): HelpdeskSlaTarget {
  return { dueAt: breachAt(metric), stage: slaStage(metric.stage) };
}

/**
 * Resolution from agent_work_time and requester_wait_time: achieved when every one of them is
 * (due at the earliest of their breach times, which Zendesk keeps on achieved metrics); else the
 * earliest breach_at among those not achieved, with that metric's stage; else, when none of
 * those has a breach time, paused if one is paused.
 */
function resolutionOf(metrics: readonly ZendeskSlaPolicyMetric[]): HelpdeskSlaTarget | null {
  const targets = metrics.filter((m) => RESOLUTION_METRICS.includes(m.metric)).map(targetOf);
  if (targets.length === 0) return null;
  const earliest = (list: HelpdeskSlaTarget[]) =>
    list.filter((t) => t.dueAt !== null).sort((a, b) => Date.parse(a.dueAt as string) - Date.parse(b.dueAt as string))[0];
  const open = targets.filter((t) => t.stage !== 'achieved');
  if (open.length === 0) return { dueAt: earliest(targets)?.dueAt ?? null, stage: 'achieved' };
  const used = earliest(open);
  if (used) return used;
  return open.find((t) => t.stage === 'paused') ?? (open[0] as HelpdeskSlaTarget);
}

/**
 * The SLA policy Zendesk side-loaded on the ticket (include=slas): first_reply_time is the first
 * response target, agent_work_time / requester_wait_time the resolution one. Undefined when the
 * answer carries no `slas` (not asked for); null targets when the policy has no such metric.
 */
export function helpdeskSlaOf(slas: ZendeskTicketSlas | null | undefined): HelpdeskSla | undefined {
  if (!slas) return undefined;
  const first = slas.policy_metrics.find((m) => m.metric === 'first_reply_time');
  return { firstResponse: first ? targetOf(first) : null, resolution: resolutionOf(slas.policy_metrics) };
}

/**
 * Zendesk's description is the first comment's text. It stays in `descriptionText` for the
 * Jira composer and stays in `comments`, where it is a real comment with its own id (a reply
 * sync that skipped it would lose the author's first words).
 */
export function mapTicket(ticket: ZendeskTicket, comments: readonly ZendeskComment[], ctx: ZendeskMapContext): Ticket {
  const status = statusFromZendesk(ticket.status);
  if (status === null) {
    // The response schemas refuse unknown statuses first; reaching here is a caller's bug.
    throw new TypeError(`zendesk ticket ${ticket.id} has an unmappable status "${ticket.status}"`);
  }
  const users = indexById(ctx.users);
  const first = comments[0];
  const helpdeskSla = helpdeskSlaOf(ticket.slas);
  return {
    vendor: 'zendesk',
    connectionId: ctx.connectionId,
    id: ticket.id,
    url: ticketUrl(ctx.baseUrl, ticket.id),
    subject: ticket.subject ?? '',
    descriptionText: ticket.description ?? first?.plain_body ?? first?.body ?? '',
    descriptionHtml: first?.html_body ?? null,
    status,
    vendorStatus: ticket.status,
    priority: priorityFromZendesk(ticket.priority),
    type: ticket.type ?? null,
    groupId: ticket.group_id,
    assigneeId: ticket.assignee_id,
    requester: requesterOf(ticket, users),
    organisation: organisationOf(ticket, ctx.organizations),
    tags: [...ticket.tags],
    customFields: customFieldsOf(ticket),
    createdAt: ticket.created_at,
    updatedAt: ticket.updated_at,
    comments: comments.map((c) => mapComment(c, ticket.requester_id, users)),
    ...(helpdeskSla ? { helpdeskSla } : {}),
  };
}
