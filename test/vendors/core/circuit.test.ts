import { CircuitOpenError, ConnectionCircuit, Circuits, PROBE_WAIT_MS, type CircuitTransition } from '../../../src/vendors/core/circuit';
import { VendorApiError, type VendorErrorKind } from '../../../src/vendors/core/errors';

const settings = { failureThreshold: 3, probeBaseMs: 1_000, probeMaxMs: 8_000, authProbeMs: 60_000 };
const t0 = Date.parse('2026-12-03T10:00:00Z');
const at = (ms: number) => new Date(t0 + ms);

function apiError(kind: VendorErrorKind, status: number | null, retryAfterMs: number | null = null): VendorApiError {
  return new VendorApiError({ vendor: 'jira', connectionId: 'default', operation: 'getIssue', method: 'GET', path: '/rest/api/3/issue/SUP-1', kind, status, vendorMessage: status ? 'Service Unavailable' : 'ECONNREFUSED', retryAfterMs });
}

/** One call through the circuit: admitted or refused, then the outcome it had. */
function call(c: ConnectionCircuit, now: number, outcome: VendorApiError | 'ok'): 'refused' | 'sent' {
  let probe: boolean;
  try {
    probe = c.admit(at(now));
  } catch (err) {
    expect(err).toBeInstanceOf(CircuitOpenError);
    return 'refused';
  }
  if (outcome === 'ok') c.succeeded(probe);
  else c.failed(outcome, at(now), probe);
  return 'sent';
}

describe('ConnectionCircuit', () => {
  let circuit: ConnectionCircuit;
  let transitions: string[];
  beforeEach(() => {
    circuit = new ConnectionCircuit('jira', 'default', settings);
    transitions = [];
    circuit.onTransition((t: CircuitTransition) => transitions.push(`${t.from}->${t.to}`));
  });

  it('stays closed below the threshold; a success in between resets the count', () => {
    const e503 = apiError('server', 503);
    expect(circuit.failed(e503, at(0))).toBe(false);
    expect(circuit.failed(e503, at(1))).toBe(false);
    circuit.succeeded();
    expect(circuit.failed(e503, at(2))).toBe(false);
    expect(circuit.failed(e503, at(3))).toBe(false);
    expect(circuit.isOpen).toBe(false);
    expect(transitions).toEqual([]);
  });

  it.each([
    ['503', apiError('server', 503)],
    ['a timeout', apiError('timeout', null)],
    ['a refused connection', apiError('network', null)],
    ['408', apiError('timeout', 408)],
  ])('opens on the threshold-th failure in a row (%s) and blames the connection from then on', (_what, err) => {
    expect(circuit.failed(err, at(0))).toBe(false);
    expect(circuit.failed(err, at(10))).toBe(false);
    expect(circuit.failed(err, at(20))).toBe(true);
    expect(circuit.snapshot()).toMatchObject({ state: 'open', reason: 'outage', failures: 3, openedAt: at(20), probeAt: at(1_020) });
    expect(transitions).toEqual(['closed->open']);
  });

  it('refuses calls until the probe time, lets one probe through, and asks the others to come back shortly', () => {
    for (const ms of [0, 1, 2]) circuit.failed(apiError('server', 502), at(ms));
    expect(() => circuit.admit(at(500))).toThrow(CircuitOpenError);
    try {
      circuit.admit(at(500));
    } catch (err) {
      expect((err as CircuitOpenError).retryAt).toEqual(at(1_002));
    }
    expect(circuit.admit(at(1_002))).toBe(true);
    expect(circuit.snapshot().state).toBe('half-open');
    // A second call while the probe is out is refused, with a short wait, not the next gap.
    let refused: CircuitOpenError | null = null;
    try {
      circuit.admit(at(1_010));
    } catch (err) {
      refused = err as CircuitOpenError;
    }
    expect(refused?.retryAt).toEqual(at(1_010 + PROBE_WAIT_MS));
    circuit.succeeded(true);
    expect(circuit.snapshot()).toMatchObject({ state: 'closed', reason: null, failures: 0, probeAt: null });
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('doubles the gap after each failed probe, up to probeMaxMs', () => {
    for (const ms of [0, 1, 2]) circuit.failed(apiError('server', 503), at(ms));
    const gaps: number[] = [];
    let now = 2;
    for (let i = 0; i < 6; i++) {
      const probeAt = circuit.snapshot().probeAt as Date;
      gaps.push(probeAt.getTime() - at(now).getTime());
      now = probeAt.getTime() - t0;
      expect(call(circuit, now, apiError('network', null))).toBe('sent');
    }
    expect(gaps).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('a call that left before the circuit opened is the connection\'s failure and does not push the probe back', () => {
    for (const ms of [0, 1, 2]) circuit.failed(apiError('server', 503), at(ms));
    const probeAt = circuit.snapshot().probeAt;
    expect(circuit.failed(apiError('server', 503), at(50))).toBe(true);
    expect(circuit.snapshot().probeAt).toEqual(probeAt);
    expect(transitions).toEqual(['closed->open']);
  });

  it.each([401, 403])('opens at once on %i (credentials) and probes at the slower auth gap', (status) => {
    expect(circuit.failed(apiError('client', status), at(0))).toBe(true);
    expect(circuit.snapshot()).toMatchObject({ state: 'open', reason: 'auth', probeAt: at(60_000) });
    // While the credentials are refused, a probe that meets an outage keeps the reason that matters.
    expect(call(circuit, 60_000, apiError('server', 503))).toBe('sent');
    expect(circuit.snapshot().reason).toBe('auth');
  });

  it('a long Retry-After opens the circuit for exactly that long; a short one does not', () => {
    expect(circuit.failed(apiError('rate_limited', 429, 200), at(0))).toBe(false);
    expect(circuit.isOpen).toBe(false);
    expect(circuit.failed(apiError('rate_limited', 429, 7_000), at(0))).toBe(true);
    expect(circuit.snapshot()).toMatchObject({ state: 'open', reason: 'rate_limited', probeAt: at(7_000) });
  });

  it.each([
    ['400', apiError('client', 400)],
    ['404', apiError('client', 404)],
    ['422', apiError('client', 422)],
    ['a response of the wrong shape', apiError('invalid_response', 200)],
  ])('an answer about the request (%s) proves the vendor is up', (_what, err) => {
    circuit.failed(apiError('server', 503), at(0));
    circuit.failed(apiError('server', 503), at(1));
    expect(circuit.failed(err, at(2))).toBe(false);
    circuit.failed(apiError('server', 503), at(3));
    expect(circuit.isOpen).toBe(false);
  });

  it('a failed probe of an open circuit that answers about the request closes it', () => {
    for (const ms of [0, 1, 2]) circuit.failed(apiError('server', 503), at(ms));
    expect(call(circuit, 1_002, apiError('client', 404))).toBe('sent');
    expect(circuit.isOpen).toBe(false);
  });
});

describe('Circuits', () => {
  it('keeps one circuit per vendor connection and lists the open ones', () => {
    const circuits = new Circuits(settings);
    const seen: string[] = [];
    circuits.onTransition((t) => seen.push(`${t.snapshot.vendor}/${t.snapshot.connectionId}:${t.to}`));
    expect(circuits.of('jira', 'default')).toBe(circuits.of('jira', 'default'));
    circuits.of('zendesk', 'partner-b').failed(apiError('client', 401), at(0));
    expect(circuits.open().map((c) => `${c.vendor}/${c.connectionId}`)).toEqual(['zendesk/partner-b']);
    expect(circuits.of('jira', 'default').isOpen).toBe(false);
    expect(seen).toEqual(['zendesk/partner-b:open']);
  });
});
