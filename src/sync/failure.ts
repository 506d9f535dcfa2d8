import { ZodError } from 'zod';
import { isCircuitOpenError, PROBE_WAIT_MS, type Circuits } from '../vendors/core/circuit';
import { InvalidRequestError, isVendorApiError } from '../vendors/core/errors';
import { isStoreUnavailable } from '../store/types';
import { PermanentEventError } from './errors';

/** How long an event waits after our store failed under it. */
const STORE_RETRY_MS = 1_000;

/**
 * What a failed attempt means, decided in this one place for the Worker and the pg-boss engine:
 * - permanent: no attempt can change it (our input is invalid, the vendor said 4xx about the
 *   request): the dead letters at once;
 * - paused: the connection is at fault, not the event (its circuit is open: an outage, refused
 *   credentials, a Retry-After): back to pending until `until`, the attempt not counted;
 * - retry: the event's own failure while its connections look healthy: counted, with backoff
 *   (at least `minWaitMs`, the vendor's Retry-After) and the dead letters after the last one.
 */
export type FailureClass =
  | { kind: 'permanent' }
  | { kind: 'paused'; until: Date; why: string }
  | { kind: 'retry'; counted: boolean; minWaitMs: number };

/**
 * Per event, how many answers its vendor connection had given when the event last failed with
 * the circuit open. An event that fails again after the connection answered others in between
 * is failing on its own (one bad ticket whose every call gets a 500 keeps opening the circuit):
 * that failure is counted, so the event reaches the dead letters instead of pausing for ever.
 */
export class OutageMemory {
  private readonly answersAtFailure = new Map<number, number>();

  constructor(private readonly capacity = 10_000) {}

  /** The answer count remembered for the event, then the new one remembered in its place. */
  swap(eventId: number, answers: number): number | undefined {
    const before = this.answersAtFailure.get(eventId);
    this.answersAtFailure.delete(eventId);
    this.answersAtFailure.set(eventId, answers);
    if (this.answersAtFailure.size > this.capacity) {
      const oldest = this.answersAtFailure.keys().next().value;
      if (oldest !== undefined) this.answersAtFailure.delete(oldest);
    }
    return before;
  }

  forget(eventId: number): void {
    this.answersAtFailure.delete(eventId);
  }
}

export function classifyFailure(
  err: unknown,
  circuits: Circuits | undefined,
  now: Date,
  history?: { eventId: number; memory: OutageMemory },
): FailureClass {
  if (err instanceof PermanentEventError || err instanceof InvalidRequestError || err instanceof ZodError) return { kind: 'permanent' };
  // Our own store failed mid-way (a full disk, PostgreSQL restarting): not the event's fault.
  if (isStoreUnavailable(err)) return { kind: 'retry', counted: false, minWaitMs: STORE_RETRY_MS };
  if (isCircuitOpenError(err)) return { kind: 'paused', until: err.retryAt, why: `${err.vendor} connection ${err.connectionId}: ${err.reason}` };
  if (!isVendorApiError(err)) return { kind: 'retry', counted: true, minWaitMs: 0 };

  const circuit = circuits?.of(err.vendor, err.connectionId);
  if (circuit?.isOpen) {
    const probeAt = circuit.snapshot().probeAt;
    const until = probeAt && probeAt.getTime() > now.getTime() ? probeAt : new Date(now.getTime() + PROBE_WAIT_MS);
    const before = history?.memory.swap(history.eventId, circuit.answers);
    if (before !== undefined && circuit.answers > before) return { kind: 'retry', counted: true, minWaitMs: until.getTime() - now.getTime() };
    return { kind: 'paused', until, why: `${err.vendor} connection ${err.connectionId}: ${circuit.snapshot().reason ?? 'outage'}` };
  }
  const asked = err.retryAfterMs ?? 0;
  // The vendor's pacing, not the event's fault.
  if (err.kind === 'rate_limited') return { kind: 'retry', counted: false, minWaitMs: asked };
  if (err.status === 401 || err.status === 403 || err.status === 408 || err.status === 409) return { kind: 'retry', counted: true, minWaitMs: asked };
  if (err.kind === 'client' || err.kind === 'invalid_response') return { kind: 'permanent' };
  return { kind: 'retry', counted: true, minWaitMs: asked };
}
