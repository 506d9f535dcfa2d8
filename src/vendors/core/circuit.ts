import type { Vendor } from '../../domain/ticket';
import type { VendorApiError } from './errors';

/**
 * A circuit breaker per vendor connection. A vendor that is down (5xx, timeouts, refused
 * connections, one after another), that refuses our credentials (401/403) or that asked us to
 * wait (429 with a Retry-After of a second or more) opens its connection's circuit: calls to it
 * fail fast with CircuitOpenError, the events that needed it wait without spending their
 * attempts, and one probe call at a time, with doubling gaps, finds out when it is back.
 * Other connections go on. The state machine is pure (time comes in as arguments); the
 * HTTP core reports each call's outcome, and listeners log, count and persist transitions.
 */

export type CircuitState = 'closed' | 'open' | 'half-open';
export type CircuitReason = 'outage' | 'auth' | 'rate_limited';

export interface CircuitSettings {
  /** Failures in a row (5xx, timeout, network) that open the circuit. */
  failureThreshold: number;
  /** Gap before the first probe; it doubles after each failed probe, up to probeMaxMs. */
  probeBaseMs: number;
  probeMaxMs: number;
  /** Gap between probes while the vendor refuses our credentials (someone has to fix them). */
  authProbeMs: number;
}

export const DEFAULT_CIRCUIT: CircuitSettings = { failureThreshold: 5, probeBaseMs: 1_000, probeMaxMs: 60_000, authProbeMs: 60_000 };

/** How long a call waits for a probe that is under way before it is asked to come back. */
export const PROBE_WAIT_MS = 500;

export interface CircuitSnapshot {
  vendor: Vendor;
  connectionId: string;
  state: CircuitState;
  reason: CircuitReason | null;
  /** Failures in a row (closed), or since the circuit opened. */
  failures: number;
  openedAt: Date | null;
  /** When the next probe may go (open), null when closed. */
  probeAt: Date | null;
  lastError: string | null;
}

export interface CircuitTransition {
  from: CircuitState;
  to: CircuitState;
  snapshot: CircuitSnapshot;
}

/** Thrown instead of calling a vendor whose circuit is open: nothing was sent. */
export class CircuitOpenError extends Error {
  constructor(
    readonly vendor: Vendor,
    readonly connectionId: string,
    readonly reason: CircuitReason,
    /** When the event may try again: the next probe, or shortly when a probe is under way. */
    readonly retryAt: Date,
  ) {
    super(`${vendor} connection ${connectionId}: circuit open (${reason}); not called, next try at ${retryAt.toISOString()}`);
    this.name = 'CircuitOpenError';
  }
}

export function isCircuitOpenError(err: unknown): err is CircuitOpenError {
  return err instanceof CircuitOpenError;
}

/** What a failed call means for the circuit: a connection-wide reason, or the call's own. */
export function tripReason(err: VendorApiError): CircuitReason | 'counts' | null {
  if (err.status === 401 || err.status === 403) return 'auth';
  if (err.kind === 'rate_limited') return (err.retryAfterMs ?? 0) >= 1000 ? 'rate_limited' : null;
  if (err.kind === 'server' || err.kind === 'timeout' || err.kind === 'network') return 'counts';
  // The vendor answered (400, 404, 422, a bad shape): it is up.
  return null;
}

export class ConnectionCircuit {
  private state: CircuitState = 'closed';
  private reason: CircuitReason | null = null;
  private failures = 0;
  private trips = 0;
  private openedAt: Date | null = null;
  private probeAt: Date | null = null;
  private probing = false;
  private lastError: string | null = null;
  private answered = 0;
  private readonly listeners: Array<(t: CircuitTransition) => void> = [];

  constructor(
    readonly vendor: Vendor,
    readonly connectionId: string,
    private readonly settings: CircuitSettings = DEFAULT_CIRCUIT,
  ) {}

  onTransition(listener: (t: CircuitTransition) => void): void {
    this.listeners.push(listener);
  }

  snapshot(): CircuitSnapshot {
    return {
      vendor: this.vendor,
      connectionId: this.connectionId,
      state: this.state,
      reason: this.reason,
      failures: this.failures,
      openedAt: this.openedAt,
      probeAt: this.probeAt,
      lastError: this.lastError,
    };
  }

  get isOpen(): boolean {
    return this.state !== 'closed';
  }

  /** Calls the vendor answered so far: a failure of one caller after others got answers is that caller's own. */
  get answers(): number {
    return this.answered;
  }

  /**
   * Before a call: returns whether it goes as the probe (false: the circuit is closed), throws
   * CircuitOpenError when it may not go. A call that was let through must end in succeeded()
   * or failed(), with what admit() returned.
   */
  admit(now: Date): boolean {
    if (this.state === 'closed') return false;
    if (this.probing) throw new CircuitOpenError(this.vendor, this.connectionId, this.reason ?? 'outage', new Date(now.getTime() + PROBE_WAIT_MS));
    if (this.probeAt && now.getTime() < this.probeAt.getTime()) {
      throw new CircuitOpenError(this.vendor, this.connectionId, this.reason ?? 'outage', this.probeAt);
    }
    this.probing = true;
    this.move('half-open');
    return true;
  }

  /** The vendor answered (2xx, or a 4xx that is about the request, not the connection). */
  succeeded(probe = false): void {
    if (probe) this.probing = false;
    this.failures = 0;
    this.answered += 1;
    if (this.state === 'closed') return;
    this.trips = 0;
    this.reason = null;
    this.openedAt = null;
    this.probeAt = null;
    this.lastError = null;
    this.move('closed');
  }

  /**
   * A call failed. Returns true when the failure is the connection's (the circuit is open now,
   * or was opened by it), false when it is the call's own (the connection looks healthy).
   */
  failed(err: VendorApiError, now: Date, probe = false): boolean {
    if (probe) this.probing = false;
    const reason = tripReason(err);
    if (reason === null) {
      this.succeeded(probe);
      return false;
    }
    this.lastError = err.message.slice(0, 500);
    this.failures += 1;
    // A call that left before the circuit opened: the connection's failure, already counted.
    if (this.state !== 'closed' && !probe) return true;
    if (reason === 'counts' && this.state === 'closed' && this.failures < this.settings.failureThreshold) return false;
    const opening: CircuitReason = reason === 'counts' ? 'outage' : reason;
    this.trips += 1;
    this.reason = probe && this.reason === 'auth' && opening === 'outage' ? 'auth' : opening;
    this.openedAt = this.openedAt ?? now;
    this.probeAt = new Date(now.getTime() + this.gapMs(opening, err));
    this.move('open');
    return true;
  }

  private gapMs(reason: CircuitReason, err: VendorApiError): number {
    if (reason === 'auth') return this.settings.authProbeMs;
    if (reason === 'rate_limited') return err.retryAfterMs ?? this.settings.probeBaseMs;
    return Math.min(this.settings.probeMaxMs, this.settings.probeBaseMs * 2 ** Math.max(0, this.trips - 1));
  }

  private move(to: CircuitState): void {
    const from = this.state;
    this.state = to;
    if (from === to && to !== 'open') return;
    const t = { from, to, snapshot: this.snapshot() };
    for (const listener of this.listeners) listener(t);
  }
}

/** Every connection's circuit in this process, made on first use. */
export class Circuits {
  private readonly byConnection = new Map<string, ConnectionCircuit>();
  private readonly listeners: Array<(t: CircuitTransition) => void> = [];

  constructor(private readonly settings: CircuitSettings = DEFAULT_CIRCUIT) {}

  of(vendor: Vendor, connectionId: string): ConnectionCircuit {
    const key = `${vendor}:${connectionId}`;
    let circuit = this.byConnection.get(key);
    if (!circuit) {
      circuit = new ConnectionCircuit(vendor, connectionId, this.settings);
      circuit.onTransition((t) => {
        for (const listener of this.listeners) listener(t);
      });
      this.byConnection.set(key, circuit);
    }
    return circuit;
  }

  onTransition(listener: (t: CircuitTransition) => void): void {
    this.listeners.push(listener);
  }

  /** Circuits that are not closed. */
  open(): CircuitSnapshot[] {
    return [...this.byConnection.values()].filter((c) => c.isOpen).map((c) => c.snapshot());
  }
}
