import type { Logger } from '../logging/logger';
import type { MetricsRecorder } from '../metrics/registry';
import type { Store } from '../store/types';
import type { CircuitTransition, Circuits } from '../vendors/core/circuit';
import { describeError } from './run-event';

export interface CircuitMonitorDeps {
  store: Store;
  logger: Logger;
  metrics: MetricsRecorder;
  /** This process's worker id: whose breaker a stored row is. */
  holder: string;
  /** A circuit closed: the events that waited for it may run now. */
  onClosed?: () => void;
}

/** What an operator reads when a connection stops or comes back. */
function describe(t: CircuitTransition): { level: 'error' | 'warn' | 'info' | 'debug'; message: string } {
  const { vendor, connectionId, reason, probeAt, failures } = t.snapshot;
  const where = `${vendor} connection "${connectionId}"`;
  const next = probeAt ? `; next probe at ${probeAt.toISOString()}` : '';
  if (t.to === 'closed') return { level: 'info', message: `${where} answers again: circuit closed, its waiting events run in order` };
  if (t.to === 'half-open') return { level: 'debug', message: `${where}: probing` };
  if (t.from === 'half-open') return { level: 'debug', message: `${where}: probe failed, circuit stays open${next}` };
  if (reason === 'auth') {
    return {
      level: 'error',
      message: `${where} refuses our credentials (401/403): its events are paused without spending attempts until a probe succeeds; check the connection's API token or key and its permissions${next}`,
    };
  }
  if (reason === 'rate_limited') return { level: 'warn', message: `${where} asked us to wait (429 Retry-After): its events are paused, attempts not counted${next}` };
  return { level: 'warn', message: `${where} looks down after ${failures} failures in a row: circuit open, its events wait without spending attempts${next}` };
}

/**
 * Logs, counts and stores every circuit transition of this process. The stored rows are for
 * `sync status` in another process; a store that cannot write them is logged, never thrown
 * (the circuit itself lives in memory and keeps working).
 */
export function watchCircuits(circuits: Circuits, deps: CircuitMonitorDeps): void {
  const writes = new Map<string, Promise<void>>();
  circuits.onTransition((t) => {
    const { vendor, connectionId, reason } = t.snapshot;
    const { level, message } = describe(t);
    deps.logger[level](message, { vendor, connection: connectionId, circuit: t.to, reason: reason ?? undefined, lastError: t.snapshot.lastError ?? undefined });
    deps.metrics.circuitChanged(vendor, connectionId, t.to, t.from === 'closed' ? reason : null);
    if (t.to === 'closed') deps.onClosed?.();
    const key = `${vendor}:${connectionId}`;
    // One write at a time per connection, in transition order.
    const previous = writes.get(key) ?? Promise.resolve();
    const write = previous.then(async () => {
      if (t.to === 'closed') await deps.store.clearCircuit(vendor, connectionId, deps.holder);
      else {
        const s = t.snapshot;
        await deps.store.saveCircuit({
          vendor,
          connectionId,
          holder: deps.holder,
          state: t.to as 'open' | 'half-open',
          reason: s.reason,
          failures: s.failures,
          openedAt: s.openedAt,
          probeAt: s.probeAt,
          lastError: s.lastError,
          updatedAt: new Date(),
        });
      }
    }).catch((err: unknown) => {
      deps.logger.warn('could not record a circuit change in the store', { vendor, connection: connectionId, error: describeError(err) });
    });
    writes.set(key, write);
  });
}
