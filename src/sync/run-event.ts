import { deliveryLogFields, entityLogFields } from '../intake/delivery';
import type { Logger } from '../logging/logger';
import { secrets } from '../logging/redact';
import { noopMetrics, type MetricsRecorder } from '../metrics/registry';
import type { InboxEvent, Store } from '../store/types';
import type { Circuits } from '../vendors/core/circuit';
import { backoffMs } from '../vendors/core/retry-after';
import { classifyFailure, type OutageMemory } from './failure';
import type { EventProcessor } from './processor';

export function describeError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return secrets.maskString(text).slice(0, 2000);
}

/**
 * What every log line of an event's processing carries, built once (the child logger below and
 * the worker's own lines about the event): vendor, connection, the ticket (`ticketId`) or Jira
 * issue (`issueId`), our event id, its type and source, and how it came: the vendor's delivery
 * id (`deliveryId`, "none (...)" for a webhook that carried none), our request id of the
 * webhook's HTTP request (`requestId`), and for Zendesk the webhook that sent it.
 */
export function eventLogContext(event: InboxEvent): Record<string, unknown> {
  return {
    vendor: event.vendor,
    connection: event.connectionId,
    ...entityLogFields(event.entityKey),
    eventId: event.id,
    eventType: event.eventType,
    source: event.source,
    ...deliveryLogFields(event),
  };
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
  /** The process's circuit breakers: a failure while its connection's circuit is open is not the event's. */
  circuits?: Circuits;
  /** Which events failed with a circuit open, and when (kept by the Worker or engine). */
  outages?: OutageMemory;
}

/**
 * How one attempt ended: `retry` was recorded with store.fail (runnable again after `waitMs`);
 * `paused` too, without spending an attempt (the connection was at fault).
 */
export type RunEventOutcome =
  | { kind: 'done' }
  | { kind: 'dead'; error: string }
  | { kind: 'retry'; waitMs: number; error: string }
  | { kind: 'paused'; waitMs: number; error: string };

/**
 * The outcome was decided but could not be written (the store refused: a full disk, a lost
 * connection). `settle` writes it again; until it succeeds the event stays leased.
 */
export class SettlementError extends Error {
  constructor(
    readonly event: InboxEvent,
    readonly outcome: RunEventOutcome,
    readonly settle: () => Promise<void>,
    readonly storeError: unknown,
  ) {
    super(`could not record the outcome (${outcome.kind}) of event ${event.id}: ${describeError(storeError)}`);
    this.name = 'SettlementError';
  }
}

/** Runs the bookkeeping write; a failure becomes a SettlementError that can be settled later. */
async function settle(event: InboxEvent, outcome: RunEventOutcome, write: () => Promise<void>): Promise<RunEventOutcome> {
  try {
    await write();
  } catch (err) {
    throw new SettlementError(event, outcome, write, err);
  }
  return outcome;
}

/**
 * One claimed event through the processor, then its bookkeeping: complete and coalesce the
 * ticket's earlier-arrived events on success; on failure the dead letters (a permanent error or
 * the last attempt) or store.fail with exponential backoff. The Worker (claimNext loop) and the
 * pg-boss engine both run events through this.
 */
export async function runEvent(deps: RunEventDeps, event: InboxEvent): Promise<RunEventOutcome> {
  const { store, processor, workerId } = deps;
  const metrics = deps.metrics ?? noopMetrics;
  const log = deps.logger.child(eventLogContext(event));
  // Claimed more often than it may be tried: each earlier run ended without an outcome (the
  // process died while handling it). Running it again could kill this process too.
  if (event.attempts > deps.maxAttempts + 1) {
    const error = `claimed ${event.attempts} times without an outcome: the process stopped while handling it each time`;
    log.error('event moved to dead letters', { attempts: event.attempts, error });
    observeOutcome(metrics, event, 'dead');
    return settle(event, { kind: 'dead', error }, () => store.deadLetter(event.id, workerId, error, deps.now()));
  }
  // Events of this ticket that arrived before the fetch below starts are covered by it.
  const fetchStartedAt = deps.now();
  const observe = metrics.eventTimer(event.vendor);
  let outcome: Awaited<ReturnType<EventProcessor['process']>>;
  try {
    outcome = await processor.process(event, log);
  } catch (err) {
    return settleFailure(deps, event, err, log, observe);
  }
  observe('done');
  deps.outages?.forget(event.id);
  if (outcome === 'deleted') log.info('entity deleted at the vendor; kept as deleted');
  const at = deps.now();
  return settle(event, { kind: 'done' }, async () => {
    // The ticket's covered events are marked done in the same commit: done one after the other,
    // another slot (or a restart after a crash in between) could take the ticket's next event
    // while later ones were already done. An echo was not fetched, so it covers nothing.
    const merged = await store.complete(event.id, workerId, at, outcome !== 'echo' ? fetchStartedAt : undefined);
    if (merged > 0) log.debug('later events of the ticket were covered by this fetch', { merged });
  });
}

function observeOutcome(metrics: MetricsRecorder, event: InboxEvent, outcome: 'dead'): void {
  metrics.eventTimer(event.vendor)(outcome);
}

async function settleFailure(
  deps: RunEventDeps,
  event: InboxEvent,
  err: unknown,
  log: Logger,
  observe: (outcome: 'done' | 'dead' | 'retry') => void,
): Promise<RunEventOutcome> {
  const { store, workerId } = deps;
  const message = describeError(err);
  const now = deps.now();
  const failure = classifyFailure(err, deps.circuits, now, deps.outages && { eventId: event.id, memory: deps.outages });
  if (failure.kind === 'paused') {
    const waitMs = Math.max(0, failure.until.getTime() - now.getTime());
    observe('retry');
    log.info('event waits for its vendor connection; attempt not counted', { attempts: event.attempts - 1, retryInMs: waitMs, circuit: failure.why });
    const outcome: RunEventOutcome = { kind: 'paused', waitMs, error: message };
    return settle(event, outcome, () => store.fail(event.id, workerId, message, failure.until, { countAttempt: false }));
  }
  if (failure.kind === 'permanent' || (failure.counted && event.attempts >= deps.maxAttempts)) {
    deps.outages?.forget(event.id);
    observe('dead');
    log.error('event moved to dead letters', { attempts: event.attempts, permanent: failure.kind === 'permanent', error: message });
    return settle(event, { kind: 'dead', error: message }, () => store.deadLetter(event.id, workerId, message, deps.now()));
  }
  const waitMs = Math.max(failure.minWaitMs, backoffMs(failure.counted ? event.attempts : 1, deps.backoffBaseMs, deps.backoffMaxMs));
  observe('retry');
  log.warn(failure.counted ? 'event failed; will retry' : 'vendor asked us to wait; will retry, attempt not counted', { attempts: event.attempts, retryInMs: waitMs, error: message });
  const outcome: RunEventOutcome = { kind: 'retry', waitMs, error: message };
  return settle(event, outcome, () => store.fail(event.id, workerId, message, new Date(now.getTime() + waitMs), { countAttempt: failure.counted }));
}
