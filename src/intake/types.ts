import type { Vendor } from '../domain/ticket';

export type Headers = Record<string, string | string[] | undefined>;

/** A verifier's verdict: pure, so it is tested alone with (headers, raw body, secret, now). */
export type Verification = { ok: true } | { ok: false; reason: string };

/** What intake needs to know of a verified webhook body to store it. */
export interface WebhookEvent {
  /** `ticket:<id>` or `issue:<id>`: the unit of ordering. */
  entityKey: string;
  eventType: string;
  /** The vendor's own id of this delivery or event, where it sends one. */
  deliveryId: string | null;
}

export type ParseOutcome =
  | { kind: 'event'; event: WebhookEvent }
  /** Verified and understood, but not about a ticket or issue: answered 200, not stored. */
  | { kind: 'ignored'; reason: string }
  /** Verified JSON that is not a webhook we can act on: answered 422. */
  | { kind: 'invalid'; reason: string };

export interface WebhookAdapter {
  vendor: Vendor;
  verify(headers: Headers, rawBody: Buffer, secret: string, now: Date): Verification;
  parse(body: unknown, headers: Headers): ParseOutcome;
  /** Delivery headers worth keeping with the event (never signatures or credentials). */
  keptHeaders: string[];
}

export function header(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * A ticket id from a template may be a number, a numeric string, or an unrendered placeholder.
 * Named in canonical decimal ("0042" is ticket 42), so one ticket always has one entity key.
 */
export function numericId(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  // Up to 2^53 - 1: the vendors' ids are integers that their APIs (and ours) handle as numbers.
  if (typeof value === 'string' && /^\d{1,16}$/.test(value.trim()) && !/^0+$/.test(value.trim()) && Number.isSafeInteger(Number(value.trim()))) {
    return String(Number(value.trim()));
  }
  return null;
}

/** A value from the body as a refusal quotes it: JSON, cut short, so a 422 never echoes a huge body. */
export function shown(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** Why a would-be id is refused, for the 422 message. */
function idProblem(raw: unknown): string {
  const digits = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (/^\d+$/.test(digits) && !Number.isSafeInteger(Number(digits))) return `is out of range (at most ${Number.MAX_SAFE_INTEGER})`;
  return 'must be a ticket number';
}

/**
 * The ticket id a templated body (Freshdesk automation, Zendesk trigger) carries in ticket_id
 * (or `field`), or the reason it cannot be used: absent, or an unrendered placeholder such as
 * "{{ticket.id}}".
 */
export function templatedTicketId(raw: unknown, whenAbsent: string, field = 'ticket_id'): { id: string } | { kind: 'invalid'; reason: string } {
  const id = numericId(raw);
  if (id) return { id };
  return { kind: 'invalid', reason: raw === undefined ? whenAbsent : `${field} ${idProblem(raw)}; got ${shown(JSON.stringify(raw))}` };
}
