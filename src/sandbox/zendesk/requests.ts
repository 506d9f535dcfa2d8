import { z } from 'zod';
import { badRequest, recordInvalid } from './errors';

/**
 * Request bodies the sandbox accepts, validated the way Zendesk answers bad input: a missing
 * root key is 400, a field of the wrong shape is 422 RecordInvalid naming the field. Enum and
 * reference checks (status, group, assignee...) live with the ticket rules in tickets.ts.
 */

/** Zendesk takes ids as numbers; callers with ids past 2^53 send the digits as a string. */
const idInput = z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform((v) => Number(v));

export const commentInputSchema = z.looseObject({
  body: z.string().optional(),
  html_body: z.string().optional(),
  public: z.boolean().optional(),
  author_id: idInput.optional(),
});

export const ticketInputSchema = z.looseObject({
  subject: z.string().optional(),
  comment: commentInputSchema.optional(),
  requester: z.looseObject({ name: z.string().optional(), email: z.string().min(3) }).optional(),
  requester_id: idInput.optional(),
  submitter_id: idInput.optional(),
  group_id: idInput.nullable().optional(),
  assignee_id: idInput.nullable().optional(),
  organization_id: idInput.nullable().optional(),
  status: z.string().optional(),
  priority: z.string().nullable().optional(),
  type: z.string().nullable().optional(),
  tags: z.array(z.string()).optional(),
  custom_fields: z.array(z.looseObject({ id: idInput, value: z.unknown() })).optional(),
  /** Collision protection: with safe_update, the update is refused (409) unless updated_stamp is the ticket's updated_at. */
  safe_update: z.boolean().optional(),
  updated_stamp: z.string().optional(),
});

export type CommentInput = z.infer<typeof commentInputSchema>;
export type TicketInput = z.infer<typeof ticketInputSchema>;

const ticketBodySchema = z.looseObject({ ticket: z.unknown() });
const tagsBodySchema = z.looseObject({ tags: z.array(z.string()) });

function invalidFrom(error: z.ZodError, root: string): never {
  const details: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? root);
    details[field] ??= `${field}: is invalid`;
  }
  throw recordInvalid(details);
}

export function readTicketBody(body: unknown): TicketInput {
  const outer = ticketBodySchema.safeParse(body);
  if (!outer.success || outer.data.ticket === undefined || outer.data.ticket === null) {
    throw badRequest('ParameterMissing', 'Parameter ticket is required');
  }
  const parsed = ticketInputSchema.safeParse(outer.data.ticket);
  return parsed.success ? parsed.data : invalidFrom(parsed.error, 'ticket');
}

export function readTagsBody(body: unknown): string[] {
  const parsed = tagsBodySchema.safeParse(body);
  if (!parsed.success) throw badRequest('ParameterMissing', 'Parameter tags is required');
  return parsed.data.tags;
}
