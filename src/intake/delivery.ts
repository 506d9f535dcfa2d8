import type { Vendor } from '../domain/ticket';

/**
 * How an inbox event names the vendor's delivery it came in, for the log lines of its processing.
 * The inbox keeps the vendor's id in the dedupe key (`delivery:<id>`: Jira's
 * X-Atlassian-Webhook-Identifier, a Zendesk event's id or X-Zendesk-Webhook-Invocation-Id) and a
 * content hash (`sha256:<hex>`) where the vendor sends none (Freshdesk never does).
 */

const DELIVERY_PREFIX = 'delivery:';
const CONTENT_HASH_PREFIX = 'sha256:';

/** The header the inbox keeps our request id under, with the vendor's delivery headers. */
export const KEPT_REQUEST_ID = 'x-request-id';

export const deliveryKey = (deliveryId: string): string => `${DELIVERY_PREFIX}${deliveryId}`;
export const contentHashKey = (hex: string): string => `${CONTENT_HASH_PREFIX}${hex}`;

/** What a log line says of a webhook that came without a delivery id, so nobody looks for one. */
const NO_DELIVERY_ID: Record<Vendor, string> = {
  freshdesk: 'none (Freshdesk sends no delivery id)',
  zendesk: 'none (the delivery had no X-Zendesk-Webhook-Invocation-Id)',
  jira: 'none (the delivery had no X-Atlassian-Webhook-Identifier)',
};

/**
 * The vendor's delivery id of an event, as its log lines carry it: the id itself, a `none (...)`
 * saying why there is none for a webhook without one, and null for what no webhook delivered
 * (polls, backfills, sweeps, reconcile passes: their `source` says so).
 */
export function deliveryIdOf(event: { vendor: Vendor; dedupeKey: string }): string | null {
  if (event.dedupeKey.startsWith(DELIVERY_PREFIX)) return event.dedupeKey.slice(DELIVERY_PREFIX.length);
  if (event.dedupeKey.startsWith(CONTENT_HASH_PREFIX)) return NO_DELIVERY_ID[event.vendor];
  return null;
}

/** `ticketId` for a helpdesk ticket, `issueId` for a Jira issue: what an entity key names. */
export function entityLogFields(entityKey: string): { ticketId: string } | { issueId: string } | { entity: string } {
  const colon = entityKey.indexOf(':');
  const kind = entityKey.slice(0, colon);
  const id = entityKey.slice(colon + 1);
  if (colon > 0 && id && kind === 'ticket') return { ticketId: id };
  if (colon > 0 && id && kind === 'issue') return { issueId: id };
  return { entity: entityKey };
}

/**
 * The delivery fields of an event's log lines: the vendor's delivery id, our request id of the
 * HTTP request that brought it, and for Zendesk the webhook that sent it (its activity log in
 * Zendesk admin lists the invocations) and the invocation id when it is not the delivery id.
 */
export function deliveryLogFields(event: { vendor: Vendor; dedupeKey: string; headers: Record<string, string> | null | undefined }): Record<string, string> {
  const out: Record<string, string> = {};
  const deliveryId = deliveryIdOf(event);
  if (deliveryId !== null) out.deliveryId = deliveryId;
  const headers = event.headers ?? {};
  const requestId = headers[KEPT_REQUEST_ID];
  if (requestId) out.requestId = requestId;
  if (event.vendor === 'zendesk') {
    const webhookId = headers['x-zendesk-webhook-id'];
    const invocationId = headers['x-zendesk-webhook-invocation-id'];
    if (webhookId) out.webhookId = webhookId;
    if (invocationId && invocationId !== deliveryId) out.invocationId = invocationId;
  }
  return out;
}
