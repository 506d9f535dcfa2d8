import { z } from 'zod';

/**
 * Shapes of the Zendesk Support API v2 answers we read. Objects are loose because Zendesk adds
 * fields freely (via, metadata, satisfaction_rating, custom statuses); we validate only what
 * we use, and accept null wherever Zendesk clears a field instead of omitting it.
 */

/**
 * Zendesk ids are 64-bit integers, numbers in REST answers and strings in webhook bodies. We
 * hold them as strings. A number past 2^53 has already lost digits in JSON.parse, so it is
 * refused rather than carried on as a different ticket's id.
 */
export const zendeskId = z
  .union([z.number().int(), z.string().regex(/^-?\d+$/)])
  .transform((v) => String(v));

/** An id Zendesk may send as null or leave out; both mean "none". */
const optionalId = zendeskId.nullish().transform((v) => v ?? null);

export const ZENDESK_STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
export type ZendeskStatus = (typeof ZENDESK_STATUSES)[number];

export function isZendeskStatus(value: string): boolean {
  return (ZENDESK_STATUSES as readonly string[]).includes(value.toLowerCase());
}

export const customFieldSchema = z.looseObject({
  id: zendeskId,
  value: z.unknown(),
});

/**
 * One metric of the SLA policy applied to a ticket, side-loaded by `include=slas` as
 * `ticket.slas.policy_metrics[]`: `breach_at` is when it breaches (null while
 * paused), `stage` active, paused or achieved, and one of `minutes`/`hours`/`days` a rounded
 * summary of the time left (negative once past). Unknown stages and metrics are kept as text
 * so a new one Zendesk adds does not fail the ticket; the mapper reads only the ones it knows.
 */
export const slaPolicyMetricSchema = z.looseObject({
  metric: z.string(),
  stage: z.string().nullish(),
  breach_at: z.string().nullish(),
  minutes: z.number().nullish(),
  hours: z.number().nullish(),
  days: z.number().nullish(),
});

/** `ticket.slas`: absent unless asked for with include=slas; without a policy the list is empty. */
export const ticketSlasSchema = z.looseObject({
  policy_metrics: z.array(slaPolicyMetricSchema).nullish().transform((v) => v ?? []),
});

export const ticketSchema = z.looseObject({
  id: zendeskId,
  url: z.string().nullish(),
  external_id: z.string().nullish(),
  // Tickets from some channels (voice, messaging) can arrive without a subject.
  subject: z.string().nullish(),
  description: z.string().nullish(),
  // Kept as a plain string here: incremental exports also carry "deleted" tickets.
  status: z.string(),
  custom_status_id: optionalId,
  priority: z.string().nullish(),
  type: z.string().nullish(),
  requester_id: optionalId,
  submitter_id: optionalId,
  assignee_id: optionalId,
  group_id: optionalId,
  organization_id: optionalId,
  tags: z.array(z.string()).nullish().transform((v) => v ?? []),
  custom_fields: z.array(customFieldSchema).nullish().transform((v) => v ?? []),
  created_at: z.string(),
  updated_at: z.string(),
  generated_timestamp: z.number().optional(),
  // Only with include=slas. A shape we cannot read drops the SLA rather than the ticket.
  slas: ticketSlasSchema.nullish().catch(null),
});

/** A ticket whose status we can map: what a show or update answer must hold. */
export const liveTicketSchema = ticketSchema.refine((t) => isZendeskStatus(t.status), {
  message: 'unknown Zendesk ticket status',
  path: ['status'],
});

/** A file on a comment. Both name and link are needed to offer it; either may be missing on redacted files. */
export const attachmentSchema = z.looseObject({
  id: zendeskId.optional(),
  file_name: z.string().nullish(),
  content_url: z.string().nullish(),
  content_type: z.string().nullish(),
  size: z.number().nullish(),
  inline: z.boolean().nullish(),
});

export const commentSchema = z.looseObject({
  id: zendeskId,
  type: z.string().optional(),
  // System comments (triggers, merges) can carry author -1 or none at all.
  author_id: optionalId,
  body: z.string().nullish(),
  html_body: z.string().nullish(),
  plain_body: z.string().nullish(),
  public: z.boolean(),
  attachments: z.array(attachmentSchema).nullish(),
  audit_id: optionalId,
  created_at: z.string(),
});

export const userSchema = z.looseObject({
  id: zendeskId,
  name: z.string().nullish(),
  email: z.string().nullish(),
  role: z.string().nullish(),
  organization_id: optionalId,
});

export const organizationSchema = z.looseObject({
  id: zendeskId,
  name: z.string(),
  domain_names: z.array(z.string()).nullish().transform((v) => v ?? []),
});

export const groupSchema = z.looseObject({
  id: zendeskId,
  name: z.string(),
  deleted: z.boolean().optional(),
});

const sideLoadedUsers = z.array(userSchema).nullish().transform((v) => v ?? []);
const sideLoadedOrganizations = z.array(organizationSchema).nullish().transform((v) => v ?? []);

/** GET /api/v2/tickets/{id}.json?include=users,organizations */
export const showTicketResponseSchema = z.looseObject({
  ticket: liveTicketSchema,
  users: sideLoadedUsers,
  organizations: sideLoadedOrganizations,
});

export const cursorMetaSchema = z.looseObject({
  has_more: z.boolean(),
  after_cursor: z.string().nullish(),
  before_cursor: z.string().nullish(),
});

export const cursorLinksSchema = z.looseObject({
  next: z.string().nullish(),
  prev: z.string().nullish(),
});

/** GET /api/v2/tickets/{id}/comments.json?page[size]=100&include=users */
export const commentsPageSchema = z.looseObject({
  comments: z.array(commentSchema),
  users: sideLoadedUsers,
  meta: cursorMetaSchema,
  links: cursorLinksSchema.optional(),
});

/** GET /api/v2/groups.json?page[size]=100 */
export const groupsPageSchema = z.looseObject({
  groups: z.array(groupSchema),
  meta: cursorMetaSchema,
  links: cursorLinksSchema.optional(),
});

/** GET /api/v2/incremental/tickets/cursor.json */
export const incrementalTicketsResponseSchema = z.looseObject({
  tickets: z.array(ticketSchema),
  after_cursor: z.string().nullish(),
  after_url: z.string().nullish(),
  before_cursor: z.string().nullish(),
  before_url: z.string().nullish(),
  end_of_stream: z.boolean(),
  users: sideLoadedUsers,
  organizations: sideLoadedOrganizations,
});

/**
 * One event of an audit: `Comment` (author_id, public, body), `Create` and `Change`
 * (field_name, value, previous_value), `Notification` and others we read past. Values are
 * strings for ids and enums, arrays for tags, numbers for a few fields (custom_status_id).
 */
export const auditEventSchema = z.looseObject({
  id: zendeskId,
  type: z.string(),
  public: z.boolean().optional(),
  author_id: zendeskId.nullish().catch(null),
  field_name: z.string().nullish(),
  value: z.unknown().optional(),
  previous_value: z.unknown().optional(),
});

export const auditSchema = z.looseObject({
  id: zendeskId,
  ticket_id: zendeskId.optional(),
  created_at: z.string().nullish(),
  // -1 is Zendesk's system user (triggers, automations).
  author_id: zendeskId.nullish().catch(null),
  events: z.array(auditEventSchema),
});

/**
 * GET /api/v2/tickets/{id}/audits.json?page[size]=100: oldest first. An archived ticket's
 * audits come in one answer without cursor paging, hence no `meta` there.
 */
export const auditsPageSchema = z.looseObject({
  audits: z.array(auditSchema),
  meta: cursorMetaSchema.optional(),
  links: cursorLinksSchema.optional(),
});

/** PUT /api/v2/tickets/{id}.json: the ticket after the change and the audit that records it. */
export const updateTicketResponseSchema = z.looseObject({
  ticket: liveTicketSchema,
  audit: auditSchema.optional(),
});

/**
 * The same answer when we added a comment: without a Comment event in the audit Zendesk did not
 * add it (an empty body is dropped silently), and we must not report a note that does not exist.
 */
export const addCommentResponseSchema = updateTicketResponseSchema.extend({
  audit: auditSchema.refine((a) => a.events.some((e) => e.type === 'Comment'), {
    message: 'the update answer holds no Comment event',
    path: ['events'],
  }),
});

/** PUT/DELETE /api/v2/tickets/{id}/tags.json answer the ticket's tags (DELETE may answer 204). */
export const tagsResponseSchema = z.looseObject({ tags: z.array(z.string()) }).optional();

export const showUserResponseSchema = z.looseObject({ user: userSchema });
export const showOrganizationResponseSchema = z.looseObject({ organization: organizationSchema });

/**
 * Error bodies: `{error: "RecordNotFound", description: "Not found"}`, 422s with
 * `details: {field: [{description}]}`, and 403s with `error: {title, message}`.
 */
export const errorBodySchema = z.looseObject({
  error: z
    .union([z.string(), z.looseObject({ title: z.string().nullish(), message: z.string().nullish() })])
    .nullish(),
  description: z.string().nullish(),
  details: z
    .record(z.string(), z.array(z.looseObject({ description: z.string().nullish(), error: z.string().nullish() })))
    .nullish(),
});

export type ZendeskTicket = z.infer<typeof ticketSchema>;
export type ZendeskComment = z.infer<typeof commentSchema>;
export type ZendeskUser = z.infer<typeof userSchema>;
export type ZendeskOrganization = z.infer<typeof organizationSchema>;
export type ZendeskGroup = z.infer<typeof groupSchema>;
export type ZendeskErrorBody = z.infer<typeof errorBodySchema>;
export type ZendeskAudit = z.infer<typeof auditSchema>;
export type ZendeskAuditEvent = z.infer<typeof auditEventSchema>;
export type ZendeskSlaPolicyMetric = z.infer<typeof slaPolicyMetricSchema>;
export type ZendeskTicketSlas = z.infer<typeof ticketSlasSchema>;
