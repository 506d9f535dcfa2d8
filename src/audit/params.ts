import { z } from 'zod';
import { CANONICAL_STATUSES, HELPDESK_VENDORS } from '../domain/ticket';
import { MAX_PAGE } from './query';
import type { AuditQuery } from './types';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A day (YYYY-MM-DD, UTC) or an ISO time. `end` turns a day into the start of the next one, so `to` takes its whole day. */
const instant = (end: boolean) =>
  z
    .string()
    .trim()
    .refine((v) => DAY.test(v) || !Number.isNaN(Date.parse(v)), 'expected a date (2026-03-31) or an ISO time (2026-03-31T12:00:00Z)')
    .transform((v) => {
      const d = new Date(DAY.test(v) ? `${v}T00:00:00.000Z` : v);
      return DAY.test(v) && end ? new Date(d.getTime() + 86_400_000) : d;
    });

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes')
  .or(z.boolean());

export const RULE_ID = /^[A-Z]\d{1,2}$/;

const common = {
  vendor: z.enum(HELPDESK_VENDORS).optional(),
  connection: z.string().trim().min(1).max(100).optional(),
  from: instant(false).optional(),
  to: instant(true).optional(),
  rule: z.string().trim().toUpperCase().regex(RULE_ID, 'expected a rule id such as E2, H3 or S2').optional(),
};

export const linksParams = z
  .object({
    ...common,
    status: z.enum(CANONICAL_STATUSES).optional(),
    problems: flag.optional(),
    cursor: z.string().max(2000).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
  })
  .strict();

export const violationsParams = z
  .object({
    ...common,
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
  })
  .strict();

export const timelineParams = z.object({ vendor: common.vendor, connection: common.connection, from: common.from, to: common.to }).strict();

export function toAuditQuery(p: z.infer<typeof linksParams>): AuditQuery {
  return {
    vendor: p.vendor,
    connectionId: p.connection,
    from: p.from,
    to: p.to,
    status: p.status,
    ruleId: p.rule,
    problemsOnly: p.problems,
    cursor: p.cursor,
    limit: p.limit,
  };
}

/** "status: expected one of ...; limit: too big" from zod's issues, naming each parameter. */
export function paramsError(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      if (i.code === 'unrecognized_keys') return `unknown query parameter(s) ${i.keys.join(', ')}`;
      return `query parameter ${i.path.join('.')}: ${i.message}`;
    })
    .join('; ');
}
