/**
 * The fuzz test's oracle: what a generated request is, and which answers the door may give it.
 * What a verified body means is written from the README and the vendors' documented webhook formats, not by calling
 * the parsers under test.
 */
import type { Vendor } from '../../src/domain/ticket';

export const BODY_LIMIT = 1024 * 1024; // config/default.yaml server.bodyLimit: 1mb
export const MAX_DEPTH = 128; // server.maxJsonDepth

/** Placeholders a body template carries; the executor fills them with fresh values per request. */
export const NONCE = '@@FUZZ_NONCE@@';
export const DELIVERY = '@@FUZZ_DELIVERY@@';

// ---------------------------------------------------------------------------------------------
// Generated requests

export type Semantic = 'stored' | 'invalid' | 'ignored' | 'unknown';

export type AuthMode =
  // accepted
  | 'valid'
  | 'valid-basic' // Freshdesk: the secret as the basic-auth password
  | 'valid-upper-hex' // Jira: hex digits in upper case
  // refused
  | 'missing'
  | 'wrong-secret'
  | 'malformed'
  | 'other-body' // a valid signature, of some other body (a replayed signature)
  | 'other-vendor' // another vendor's secret
  | 'empty'
  | 'duplicate-header'
  | 'stale' // Zendesk: timestamp outside the skew window
  | 'future'
  | 'bad-timestamp'
  | 'missing-timestamp'
  | 'test-secret' // Zendesk's fixed test-request secret
  | 'no-timestamp-in-mac'
  | 'basic-no-colon';

export const ACCEPTED_AUTH: ReadonlySet<AuthMode> = new Set(['valid', 'valid-basic', 'valid-upper-hex']);

export type Encoding = 'none' | 'identity' | 'gzip' | 'deflate' | 'br' | 'gzip-corrupt' | 'unknown';

export type BodySpec =
  /** JSON text, possibly with the NONCE / DELIVERY placeholders (inside JSON strings). */
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array };

export interface Spec {
  /** Which generator made it: requests are counted by it. */
  gen: string;
  vendor: Vendor;
  path: string;
  body: BodySpec;
  /** null: no Content-Type header at all. */
  contentType: string | null;
  encoding: Encoding;
  auth: AuthMode;
  /** Send a delivery id header (Jira X-Atlassian-Webhook-Identifier, Zendesk invocation id). */
  deliveryHeader: 'fresh' | 'none' | 'empty';
  /** Content-Length, or chunked transfer encoding. */
  framing: 'length' | 'chunked';
  /** What the body means once verified and parsed. */
  semantic: Semantic;
  /** For `stored`: the entity key the event must be stored under. */
  entityKey?: string;
  /** For `invalid`: what the 422's error must name. */
  errorMentions?: RegExp;
  /** Send the identical request a second time and check the answer to it. */
  replay: boolean;
}

// ---------------------------------------------------------------------------------------------
// Oracle

/** How deeply a JSON value nests (a scalar is 0, `[]` is 1), without recursion. */
export function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, d + 1);
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, d + 1]);
  }
  return max;
}

export function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The statuses the door may answer, in the order it checks, and what the body means once verified. */
export function expectedOf(spec: Spec, decoded: Buffer, storeWrites: boolean): { statuses: number[]; meaning?: Meaning } {
  if (!spec.contentType || !JSON_TYPES.has(spec.contentType)) return { statuses: [415] };
  if (spec.encoding === 'unknown') return { statuses: [415] };
  if (spec.encoding === 'gzip-corrupt') return { statuses: [400] };
  if (decoded.length > BODY_LIMIT) return { statuses: [413] };
  if (!ACCEPTED_AUTH.has(spec.auth)) return { statuses: [401] };
  const parsed = tryJson(decoded.toString('utf8'));
  if (!parsed.ok) return { statuses: [400] };
  if (depthOf(parsed.value) > MAX_DEPTH) return { statuses: [413] };
  const meaning = meaningOf(spec.vendor, parsed.value);
  // A body without a per-request nonce (raw bytes, a cut fixture) may be one the door has seen: a redelivery then.
  const fresh = spec.body.kind === 'text' && spec.body.text.includes(NONCE);
  const statuses = { stored: storeWrites ? (fresh ? [202] : [202, 200]) : [503], invalid: [422], ignored: [200] }[meaning.semantic];
  return { statuses, meaning };
}

export const JSON_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'Application/JSON',
  'application/vnd.api+json',
  'application/merge-patch+json',
]);

export const NOT_JSON_TYPES: readonly string[] = [
  '',
  'text/plain',
  'text/json',
  'text/html; charset=application/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'application/xml',
  'application/octet-stream',
  'application/jsonl',
  'application/json5',
  'application/ json',
  'json',
  '*/*',
];

// ---------------------------------------------------------------------------------------------
// What a verified body means

export interface Meaning {
  semantic: Exclude<Semantic, 'unknown'>;
  entityKey?: string;
  errorMentions?: RegExp;
}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (o: Record<string, unknown>, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

/**
 * A ticket or issue id: a positive safe integer, as a JSON number or a string of at most 16
 * digits (blanks around it allowed), named by its canonical decimal form.
 */
export function idOf(raw: unknown): string | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw > 0 ? String(raw) : null;
  if (typeof raw !== 'string') return null;
  const t = raw.trim();
  if (!/^\d{1,16}$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) && n > 0 ? String(n) : null;
}

export const EVENT_PREFIX = 'zen:event-type:';

/** What a verified body means: stored under which entity, ignored, or refused (and what the refusal names). */
export function meaningOf(vendor: Vendor, body: unknown): Meaning {
  const named = meaningAndNames(vendor, body);
  // The store keeps the event type and the delivery id as text, which cannot hold NUL on PostgreSQL.
  if (named.semantic === 'stored' && [named.eventType, named.deliveryId].some((v) => v?.includes('\u0000'))) {
    return { semantic: 'invalid', errorMentions: /NUL/ };
  }
  return { semantic: named.semantic, entityKey: named.entityKey, errorMentions: named.errorMentions };
}

const nonBlank = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function meaningAndNames(vendor: Vendor, body: unknown): Meaning & { eventType?: string; deliveryId?: string | null } {
  const notObject: Meaning = { semantic: 'invalid', errorMentions: /JSON object/ };
  if (!isObject(body)) return notObject;
  if (vendor === 'freshdesk') {
    const wrapper = own(body, 'freshdesk_webhook');
    const inner = wrapper && typeof wrapper === 'object' ? (wrapper as Record<string, unknown>) : body;
    const fields = Array.isArray(inner) ? {} : inner;
    const id = idOf(own(fields, 'ticket_id'));
    const event = [own(fields, 'event'), own(fields, 'triggered_event')].find(nonBlank);
    return id
      ? { semantic: 'stored', entityKey: `ticket:${id}`, eventType: event?.trim() ?? 'ticket_updated', deliveryId: null }
      : { semantic: 'invalid', errorMentions: /ticket_id/ };
  }
  if (vendor === 'zendesk') {
    const type = own(body, 'type');
    if (typeof type === 'string' && type.startsWith(EVENT_PREFIX)) {
      const eventType = type.slice(EVENT_PREFIX.length);
      if (!eventType.startsWith('ticket.')) return { semantic: 'ignored' };
      const subject = own(body, 'subject');
      const fromSubject = typeof subject === 'string' ? idOf(/^zen:ticket:(\d+)$/.exec(subject)?.[1]) : null;
      const detail = own(body, 'detail');
      const fromDetail = isObject(detail) ? idOf(own(detail, 'id')) : null;
      const id = fromSubject ?? fromDetail;
      const eventId = own(body, 'id');
      return id
        ? { semantic: 'stored', entityKey: `ticket:${id}`, eventType, deliveryId: typeof eventId === 'string' && eventId ? eventId : null }
        : { semantic: 'invalid', errorMentions: /ticket id/ };
    }
    const ticket = own(body, 'ticket');
    const ticketId = own(body, 'ticket_id');
    const nested = isObject(ticket) ? own(ticket, 'id') : undefined;
    const id = idOf(ticketId ?? nested);
    const event = own(body, 'event');
    // (A trigger's delivery id comes from a header: it cannot hold NUL.)
    if (id) return { semantic: 'stored', entityKey: `ticket:${id}`, eventType: nonBlank(event) ? `trigger.${event.trim()}` : 'trigger.ticket_changed' };
    const field = ticketId === undefined || ticketId === null ? (nested === undefined ? /ticket_id/ : /ticket\.id/) : /ticket_id/;
    return { semantic: 'invalid', errorMentions: field };
  }
  const webhookEvent = own(body, 'webhookEvent');
  if (typeof webhookEvent !== 'string' || webhookEvent === '') return { semantic: 'invalid', errorMentions: /webhookEvent/ };
  const issue = own(body, 'issue');
  if (isObject(issue)) {
    const id = idOf(own(issue, 'id'));
    return id ? { semantic: 'stored', entityKey: `issue:${id}`, eventType: webhookEvent } : { semantic: 'invalid', errorMentions: /issue\.id/ };
  }
  if (issue !== undefined && issue !== null) return { semantic: 'invalid', errorMentions: /\bissue\b/ };
  const comment = own(body, 'comment');
  const self = isObject(comment) ? own(comment, 'self') : undefined;
  const digits = typeof self === 'string' ? /\/issue\/(\d+)\/comment\//.exec(self)?.[1] : undefined;
  if (digits === undefined) return { semantic: 'ignored' };
  const id = idOf(digits);
  return id ? { semantic: 'stored', entityKey: `issue:${id}`, eventType: webhookEvent } : { semantic: 'invalid', errorMentions: /comment\.self/ };
}

