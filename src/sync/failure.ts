import { ZodError } from 'zod';
import { isCircuitOpenError, PROBE_WAIT_MS, type Circuits } from '../vendors/core/circuit';
import { InvalidRequestError, isVendorApiError } from '../vendors/core/errors';
import { PermanentEventError } from './errors';

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

export function classifyFailure(err: unknown, circuits: Circuits | undefined, now: Date): FailureClass {
  if (err instanceof PermanentEventError || err instanceof InvalidRequestError || err instanceof ZodError) return { kind: 'permanent' };
  if (isCircuitOpenError(err)) return { kind: 'paused', until: err.retryAt, why: `${err.vendor} connection ${err.connectionId}: ${err.reason}` };
  if (!isVendorApiError(err)) return { kind: 'retry', counted: true, minWaitMs: 0 };

  const circuit = circuits?.of(err.vendor, err.connectionId);
  if (circuit?.isOpen) {
    const probeAt = circuit.snapshot().probeAt;
    const until = probeAt && probeAt.getTime() > now.getTime() ? probeAt : new Date(now.getTime() + PROBE_WAIT_MS);
    return { kind: 'paused', until, why: `${err.vendor} connection ${err.connectionId}: ${circuit.snapshot().reason ?? 'outage'}` };
  }
  const asked = err.retryAfterMs ?? 0;
  // The vendor's pacing, not the event's fault.
  if (err.kind === 'rate_limited') return { kind: 'retry', counted: false, minWaitMs: asked };
  if (err.status === 401 || err.status === 403 || err.status === 408 || err.status === 409) return { kind: 'retry', counted: true, minWaitMs: asked };
  if (err.kind === 'client' || err.kind === 'invalid_response') return { kind: 'permanent' };
  return { kind: 'retry', counted: true, minWaitMs: asked };
}
