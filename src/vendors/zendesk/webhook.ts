import { header, numericId, shown, templatedTicketId, type Headers, type ParseOutcome, type Verification, type WebhookAdapter } from '../../intake/types';
import { hmacSha256, safeEqual } from '../../intake/signatures';

export const ZENDESK_SIGNATURE = 'x-zendesk-webhook-signature';
export const ZENDESK_TIMESTAMP = 'x-zendesk-webhook-signature-timestamp';

/**
 * Zendesk signs base64(HMAC-SHA256(secret, timestamp + raw body)). Zendesk documents no
 * replay window, so we refuse timestamps further than maxSkewSeconds from our clock.
 */
export function verifyZendesk(headers: Headers, rawBody: Buffer, secret: string, now: Date, maxSkewSeconds = 300): Verification {
  const signature = header(headers, ZENDESK_SIGNATURE);
  const timestamp = header(headers, ZENDESK_TIMESTAMP);
  const missing = [!signature && 'X-Zendesk-Webhook-Signature', !timestamp && 'X-Zendesk-Webhook-Signature-Timestamp'].filter(Boolean);
  if (missing.length) return { ok: false, reason: `missing header ${missing.join(' and ')}` };
  const at = Date.parse(timestamp as string);
  if (Number.isNaN(at)) return { ok: false, reason: 'X-Zendesk-Webhook-Signature-Timestamp is not an ISO 8601 time' };
  const skew = Math.abs(now.getTime() - at) / 1000;
  if (skew > maxSkewSeconds) {
    return { ok: false, reason: `X-Zendesk-Webhook-Signature-Timestamp is ${Math.round(skew)} s away from server time (limit ${maxSkewSeconds} s)` };
  }
  // Strictly the base64 of a 32-byte MAC: Node's base64 decoder stops at padding and skips
  // stray characters, so "<signature>, <anything>" (two headers joined) would otherwise pass.
  if (!/^[A-Za-z0-9+/]{43}=$/.test((signature as string).trim())) {
    return { ok: false, reason: 'X-Zendesk-Webhook-Signature must be the base64 of an HMAC-SHA256 (44 characters)' };
  }
  const expected = hmacSha256(secret, timestamp as string, rawBody);
  const given = Buffer.from((signature as string).trim(), 'base64');
  return safeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'X-Zendesk-Webhook-Signature does not match the body and the signing secret' };
}

const EVENT_PREFIX = 'zen:event-type:';

function fromEventSubscription(body: Record<string, unknown>): ParseOutcome {
  const type = String(body.type);
  const eventType = type.slice(EVENT_PREFIX.length);
  if (!eventType.startsWith('ticket.')) {
    return { kind: 'ignored', reason: `event type ${shown(type)} is not a ticket event; helpdesk-sync subscribes to zen:event-type:ticket.*` };
  }
  const subject = typeof body.subject === 'string' ? /^zen:ticket:(\d+)$/.exec(body.subject)?.[1] : undefined;
  const detail = body.detail && typeof body.detail === 'object' ? (body.detail as Record<string, unknown>) : {};
  const ticketId = numericId(subject) ?? numericId(detail.id);
  if (!ticketId) return { kind: 'invalid', reason: `${shown(type)} carries no ticket id (expected subject "zen:ticket:<id>" or detail.id)` };
  const eventId = typeof body.id === 'string' && body.id ? body.id : null;
  return { kind: 'event', event: { entityKey: `ticket:${ticketId}`, eventType, deliveryId: eventId } };
}

/** Trigger webhooks carry whatever the template renders; ours (README) puts the id in ticket_id. */
function fromTrigger(body: Record<string, unknown>, headers: Headers): ParseOutcome {
  const ticket = body.ticket && typeof body.ticket === 'object' ? (body.ticket as Record<string, unknown>) : {};
  const fromTicket = body.ticket_id === undefined || body.ticket_id === null;
  const found = templatedTicketId(
    body.ticket_id ?? ticket.id,
    'body carries no ticket id: a trigger webhook body must include "ticket_id": "{{ticket.id}}" (see README), an event webhook must have type zen:event-type:ticket.*',
    fromTicket ? 'ticket.id' : 'ticket_id',
  );
  if (!('id' in found)) return found;
  const ticketId = found.id;
  const event = typeof body.event === 'string' && body.event.trim() ? `trigger.${body.event.trim()}` : 'trigger.ticket_changed';
  return { kind: 'event', event: { entityKey: `ticket:${ticketId}`, eventType: event, deliveryId: header(headers, 'x-zendesk-webhook-invocation-id') ?? null } };
}

export function parseZendesk(body: unknown, headers: Headers): ParseOutcome {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { kind: 'invalid', reason: 'body must be a JSON object' };
  const obj = body as Record<string, unknown>;
  if (typeof obj.type === 'string' && obj.type.startsWith(EVENT_PREFIX)) return fromEventSubscription(obj);
  return fromTrigger(obj, headers);
}

export function zendeskWebhookAdapter(maxSkewSeconds: number): WebhookAdapter {
  return {
    vendor: 'zendesk',
    verify: (headers, raw, secret, now) => verifyZendesk(headers, raw, secret, now, maxSkewSeconds),
    parse: parseZendesk,
    keptHeaders: ['x-zendesk-webhook-id', 'x-zendesk-webhook-invocation-id', 'x-zendesk-account-id', ZENDESK_TIMESTAMP],
  };
}

/**
 * Who made the change, as an event-subscription delivery says (detail.actor_id), and the
 * ticket's updated_at that change produced; nulls when the body does not say.
 */
export function zendeskActorOf(payload: unknown): { actorId: string | null; updatedAt: string | null } {
  const none = { actorId: null, updatedAt: null };
  if (!payload || typeof payload !== 'object') return none;
  const detail = (payload as Record<string, unknown>).detail;
  if (!detail || typeof detail !== 'object') return none;
  const d = detail as Record<string, unknown>;
  return { actorId: numericId(d.actor_id), updatedAt: typeof d.updated_at === 'string' ? d.updated_at : null };
}
