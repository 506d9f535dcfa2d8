import { z } from 'zod';

/**
 * Freshdesk API v2 bodies as they arrive. Objects are loose so a
 * field Freshdesk adds tomorrow does not break a sync; the fields the mapper reads are exact,
 * and nullable where Freshdesk sends null.
 */

const id = z.number().int();
const timestamp = z.string();

/** `include=requester` embeds only these five fields (no company_id). */
export const FreshdeskEmbeddedRequesterSchema = z.looseObject({
  id,
  name: z.string().nullable(),
  email: z.string().nullable(),
  mobile: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
});

/**
 * `include=company` embeds the company's id and name only. Both are optional because the
 * embed of a ticket without a company is not documented; the client then falls back to
 * GET /companies/{id} when company_id is set.
 */
export const FreshdeskEmbeddedCompanySchema = z.looseObject({
  id: id.optional(),
  name: z.string().optional(),
});

export const FreshdeskTicketSchema = z.looseObject({
  id,
  subject: z.string().nullable(),
  // Absent from list responses unless include=description (accounts created after 2018-11-30).
  description: z.string().nullable().optional(),
  description_text: z.string().nullable().optional(),
  // 2..5 built in; custom statuses are other integers.
  status: z.number().int(),
  priority: z.number().int(),
  source: z.number().int().optional(),
  type: z.string().nullable(),
  requester_id: id,
  responder_id: id.nullable(),
  group_id: id.nullable(),
  company_id: id.nullable(),
  tags: z.array(z.string()).default([]),
  custom_fields: z.record(z.string(), z.unknown()).default({}),
  created_at: timestamp,
  updated_at: timestamp,
  // The ticket's SLA policy (fr_due_by, due_by, fr_escalated, is_escalated): first response and resolution due times, and whether
  // each was missed. Read, never required: a missing or unreadable value leaves the SLA unknown
  // rather than failing the ticket.
  fr_due_by: timestamp.nullish().catch(null),
  due_by: timestamp.nullish().catch(null),
  fr_escalated: z.boolean().nullish().catch(null),
  is_escalated: z.boolean().nullish().catch(null),
  requester: FreshdeskEmbeddedRequesterSchema.optional(),
  company: FreshdeskEmbeddedCompanySchema.nullable().optional(),
  // Freshdesk's include=conversations embeds the oldest 10 only.
  conversations: z.array(z.lazy(() => FreshdeskConversationSchema)).optional(),
});
export type FreshdeskTicket = z.infer<typeof FreshdeskTicketSchema>;

export const FreshdeskTicketListSchema = z.array(FreshdeskTicketSchema);

/**
 * A file on a conversation. attachment_url is a signed link that expires after a while, so it
 * is good for an agent's click soon after, not for keeping.
 */
export const FreshdeskAttachmentSchema = z.looseObject({
  id: id.optional(),
  name: z.string().nullish(),
  attachment_url: z.string().nullish(),
  content_type: z.string().nullish(),
  size: z.number().nullish(),
});

export const FreshdeskConversationSchema = z.looseObject({
  id,
  body: z.string().nullable(),
  body_text: z.string().nullable(),
  incoming: z.boolean(),
  private: z.boolean(),
  user_id: id.nullable(),
  // 0 reply, 2 note, 5 tweet, 6 survey feedback, 7 facebook, 8 forwarded email, 9 phone, 11 e-commerce.
  source: z.number().int().optional(),
  ticket_id: id.optional(),
  support_email: z.string().nullable().optional(),
  from_email: z.string().nullable().optional(),
  to_emails: z.array(z.string()).nullable().optional(),
  attachments: z.array(FreshdeskAttachmentSchema).nullish(),
  created_at: timestamp,
  updated_at: timestamp.optional(),
});
export type FreshdeskConversation = z.infer<typeof FreshdeskConversationSchema>;

export const FreshdeskConversationListSchema = z.array(FreshdeskConversationSchema);

export const FreshdeskContactSchema = z.looseObject({
  id,
  name: z.string().nullable(),
  email: z.string().nullable(),
  company_id: id.nullable().optional(),
  active: z.boolean().optional(),
  deleted: z.boolean().optional(),
  created_at: timestamp.optional(),
  updated_at: timestamp.optional(),
});
export type FreshdeskContact = z.infer<typeof FreshdeskContactSchema>;

export const FreshdeskCompanySchema = z.looseObject({
  id,
  name: z.string(),
  domains: z.array(z.string()).nullable().default([]),
  created_at: timestamp.optional(),
  updated_at: timestamp.optional(),
});
export type FreshdeskCompany = z.infer<typeof FreshdeskCompanySchema>;

/** An agent's name and email live on its embedded contact; the agent id is the user id. */
export const FreshdeskAgentSchema = z.looseObject({
  id,
  type: z.string().optional(),
  contact: z.looseObject({
    name: z.string().nullable(),
    email: z.string().nullable(),
  }),
});
export type FreshdeskAgent = z.infer<typeof FreshdeskAgentSchema>;

/**
 * Validation errors carry `description` and `errors[]`; authentication and permission
 * errors carry `code` and `message` instead. Every part is optional: an error body is read,
 * never required.
 */
export const FreshdeskGroupSchema = z.looseObject({ id, name: z.string() });
export const FreshdeskGroupListSchema = z.array(FreshdeskGroupSchema);

export const FreshdeskErrorSchema = z.looseObject({
  description: z.string().optional(),
  message: z.string().optional(),
  code: z.string().optional(),
  errors: z
    .array(
      z.looseObject({
        field: z.string().optional(),
        message: z.string().optional(),
        code: z.string().optional(),
      }),
    )
    .optional(),
});
export type FreshdeskError = z.infer<typeof FreshdeskErrorSchema>;
