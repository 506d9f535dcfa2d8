import { createHash } from 'node:crypto';
import type { ResolvedConnection } from '../config/load';
import type { Logger } from '../logging/logger';
import type { Store } from '../store/types';
import { contentHashKey, deliveryKey, deliveryLogFields, entityLogFields, KEPT_REQUEST_ID } from './delivery';
import { jsonDepthExceeds } from './json-depth';
import { header, shown, type Headers, type WebhookAdapter } from './types';

export interface ReceiveInput {
  connection: ResolvedConnection;
  adapter: WebhookAdapter;
  headers: Headers;
  rawBody: Buffer;
  now: Date;
  /** Our id of the HTTP request (X-Request-Id): logged, and kept with the event's headers. */
  requestId?: string;
}

/** The answer intake gives, as data: the HTTP layer only renders it. */
export interface ReceiveResult {
  status: number;
  body: Record<string, unknown>;
  eventId?: number;
}

const error = (status: number, message: string): ReceiveResult => ({ status, body: { error: message } });

/**
 * The fixed order of the webhook door: the connection must be able to verify, the signature
 * is checked against the raw bytes, only then is the body parsed, understood and committed to
 * the inbox. The answer is 2xx only once the event is durable.
 */
export async function receiveWebhook(
  input: ReceiveInput,
  deps: { store: Store; logger: Logger; contentDedupeWindowMs: number; maxJsonDepth: number },
): Promise<ReceiveResult> {
  const { connection, adapter, headers, rawBody, now, requestId } = input;
  const asked = requestId ? { requestId } : {};
  const who = `${connection.vendor} connection "${connection.id}"`;
  const secret = (connection.settings as { webhookSecret?: string }).webhookSecret;
  if (!connection.enabled || !secret) {
    const missing = [...connection.missing, ...(connection.webhookSecretMissing ? [connection.webhookSecretMissing] : [])];
    return error(503, `${who} is disabled: set ${missing.join(', ')}`);
  }
  const verdict = adapter.verify(headers, rawBody, secret, now);
  if (!verdict.ok) return error(401, verdict.reason);

  let body: unknown;
  const text = rawBody.toString('utf8');
  try {
    body = JSON.parse(text);
  } catch (err) {
    return error(400, `body is not valid JSON: ${(err as Error).message}`);
  }
  // Before anything walks the body: a poison body is refused, not stored and retried for ever.
  if (jsonDepthExceeds(body, deps.maxJsonDepth)) {
    return error(413, `body nests objects and arrays more than ${deps.maxJsonDepth} levels deep (server.maxJsonDepth)`);
  }
  const parsed = adapter.parse(body, headers);
  if (parsed.kind === 'invalid') return error(422, parsed.reason);
  if (parsed.kind === 'ignored') {
    deps.logger.info('webhook ignored', { vendor: connection.vendor, connection: connection.id, reason: parsed.reason, ...asked });
    return { status: 200, body: { status: 'ignored', reason: parsed.reason } };
  }

  const { event } = parsed;
  // PostgreSQL text cannot hold a NUL character: an event named with one would fail its insert on
  // every redelivery (a 503 for ever, with a healthy store). Refused here, saying so.
  for (const [what, value] of [['event type', event.eventType], ['delivery id', event.deliveryId]] as const) {
    if (value?.includes('\u0000')) return error(422, `the ${what} ${JSON.stringify(shown(value))} contains a NUL character (\\u0000)`);
  }
  const dedupeKey = event.deliveryId ? deliveryKey(event.deliveryId) : contentHashKey(createHash('sha256').update(rawBody).digest('hex'));
  const kept: Record<string, string> = {};
  for (const name of adapter.keptHeaders) {
    const v = header(headers, name);
    if (v !== undefined) kept[name] = v;
  }
  // So the worker's log lines of the event name the request that brought it.
  if (requestId) kept[KEPT_REQUEST_ID] = requestId;
  const result = await deps.store.enqueue({
    vendor: connection.vendor,
    connectionId: connection.id,
    entityKey: event.entityKey,
    dedupeKey,
    dedupeWindowMs: event.deliveryId ? null : deps.contentDedupeWindowMs,
    eventType: event.eventType,
    source: 'webhook',
    payload: body,
    payloadText: text,
    headers: kept,
    receivedAt: now,
  });
  deps.logger.info(result.duplicate ? 'webhook redelivery acknowledged' : 'webhook stored', {
    vendor: connection.vendor,
    connection: connection.id,
    ...entityLogFields(event.entityKey),
    entity: event.entityKey,
    eventType: event.eventType,
    eventId: result.eventId,
    // The delivery id, this request's id, and (Zendesk) the webhook that sent it.
    ...deliveryLogFields({ vendor: connection.vendor, dedupeKey, headers: kept }),
  });
  return result.duplicate
    ? { status: 200, body: { status: 'duplicate', eventId: result.eventId } }
    : { status: 202, body: { status: 'accepted', eventId: result.eventId }, eventId: result.eventId };
}
