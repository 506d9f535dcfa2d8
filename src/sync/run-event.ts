import type { Logger } from '../logging/logger';
import { secrets } from '../logging/redact';
import { noopMetrics, type MetricsRecorder } from '../metrics/registry';
import type { InboxEvent, Store } from '../store/types';
import { isVendorApiError } from '../vendors/core/errors';
import { backoffMs } from '../vendors/core/retry-after';
import { PermanentEventError } from './errors';
import type { EventProcessor } from './processor';

/** 4xx answers that another attempt cannot change: the event goes to the dead letters at once. */
export function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentEventError) return true;
  if (!isVendorApiError(err)) return false;
  return err.kind === 'invalid_response' || err.status === 400 || err.status === 404 || err.status === 422;
}

export function describeError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return secrets.maskString(text).slice(0, 2000);
}

export interface RunEventDeps {
  store: Store;
  processor: EventProcessor;
  logger: Logger;
  workerId: string;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  now: () => Date;
  metrics?: MetricsRecorder;
}

/** How one attempt ended: `retry` was recorded with store.fail (runnable again after `waitMs`). */
export type RunEventOutcome = { kind: 'done' } | { kind: 'dead'; error: string } | { kind: 'retry'; waitMs: number; error: string };

/**
 * One claimed event through the processor, then its bookkeeping: complete and coalesce the
 * ticket's earlier-arrived events on success; on failure the dead letters (a permanent error or
 * the last attempt) or store.fail with exponential backoff. The Worker (claimNext loop) and the
 * pg-boss engine both run events through this.
 */
export async function runEvent(deps: RunEventDeps, event: InboxEvent): Promise<RunEventOutcome> {
  const { store, processor, workerId } = deps;
  const metrics = deps.metrics ?? noopMetrics;
  const ticketId = event.entityKey.split(':')[1];
  const log = deps.logger.child({ vendor: event.vendor, connection: event.connectionId, ticketId, eventId: event.id, eventType: event.eventType });
  // Events of this ticket that arrived before the fetch below starts are covered by it.
  const fetchStartedAt = deps.now();
  const observe = metrics.eventTimer(event.vendor);
  try {
    const outcome = await processor.process(event, log);
    await store.complete(event.id, workerId, deps.now());
    // An echo was not fetched, so it covers nothing that arrived before it.
    if (outcome !== 'echo') {
      const merged = await store.coalesce(event.id, fetchStartedAt, deps.now());
      if (merged > 0) log.debug('later events of the ticket were covered by this fetch', { merged });
    }
    if (outcome === 'deleted') log.info('entity deleted at the vendor; kept as deleted');
    observe('done');
    return { kind: 'done' };
  } catch (err) {
    const message = describeError(err);
    if (isPermanent(err) || event.attempts >= deps.maxAttempts) {
      await store.deadLetter(event.id, workerId, message, deps.now());
      observe('dead');
      log.error('event moved to dead letters', { attempts: event.attempts, error: message });
      return { kind: 'dead', error: message };
    }
    const asked = isVendorApiError(err) ? (err.retryAfterMs ?? 0) : 0;
    const wait = Math.max(asked, backoffMs(event.attempts, deps.backoffBaseMs, deps.backoffMaxMs));
    await store.fail(event.id, workerId, message, new Date(deps.now().getTime() + wait));
    observe('retry');
    log.warn('event failed; will retry', { attempts: event.attempts, retryInMs: wait, error: message });
    return { kind: 'retry', waitMs: wait, error: message };
  }
}
