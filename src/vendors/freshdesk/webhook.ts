import { header, templatedTicketId, type Headers, type ParseOutcome, type Verification, type WebhookAdapter } from '../../intake/types';
import { safeEqual } from '../../intake/signatures';

export const FRESHDESK_SECRET_HEADER = 'x-webhook-secret';

function basicPassword(authorization: string | undefined): string | null {
  const m = authorization ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization) : null;
  if (!m) return null;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/**
 * Freshdesk does not sign webhooks. The automation rule sends our shared secret, either in a
 * custom X-Webhook-Secret header or as the basic-auth password (README).
 */
export function verifyFreshdesk(headers: Headers, _raw: Buffer, secret: string): Verification {
  const given = header(headers, FRESHDESK_SECRET_HEADER) ?? basicPassword(header(headers, 'authorization'));
  if (given === undefined || given === null) {
    return { ok: false, reason: 'missing credentials: send the webhook secret in the X-Webhook-Secret header or as the basic-auth password' };
  }
  return safeEqual(Buffer.from(given), Buffer.from(secret)) ? { ok: true } : { ok: false, reason: 'the webhook secret is wrong' };
}

/**
 * Accepts our template (README: flat, with ticket_id and event) and the classic
 * {"freshdesk_webhook": {...}} wrapper with triggered_event.
 */
export function parseFreshdesk(body: unknown): ParseOutcome {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { kind: 'invalid', reason: 'body must be a JSON object' };
  const outer = body as Record<string, unknown>;
  const obj = outer.freshdesk_webhook && typeof outer.freshdesk_webhook === 'object' ? (outer.freshdesk_webhook as Record<string, unknown>) : outer;
  const found = templatedTicketId(obj.ticket_id, 'body carries no ticket_id: use the JSON template from the README ("ticket_id": "{{ticket.id}}")');
  if (!('id' in found)) return found;
  const ticketId = found.id;
  const event = [obj.event, obj.triggered_event].find((v) => typeof v === 'string' && v.trim()) as string | undefined;
  return { kind: 'event', event: { entityKey: `ticket:${ticketId}`, eventType: event?.trim() ?? 'ticket_updated', deliveryId: null } };
}

export const freshdeskWebhookAdapter: WebhookAdapter = {
  vendor: 'freshdesk',
  verify: (headers, raw, secret) => verifyFreshdesk(headers, raw, secret),
  parse: (body) => parseFreshdesk(body),
  keptHeaders: [],
};
