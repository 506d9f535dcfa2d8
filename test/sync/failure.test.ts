import { ZodError } from 'zod';
import { PermanentEventError } from '../../src/sync/errors';
import { classifyFailure, OutageMemory } from '../../src/sync/failure';
import { CircuitOpenError, Circuits } from '../../src/vendors/core/circuit';
import { InvalidRequestError, VendorApiError, type VendorErrorKind } from '../../src/vendors/core/errors';

const now = new Date('2026-12-03T10:00:00Z');

function apiError(kind: VendorErrorKind, status: number | null, retryAfterMs: number | null = null): VendorApiError {
  return new VendorApiError({ vendor: 'freshdesk', connectionId: 'default', operation: 'getTicket', method: 'GET', path: '/api/v2/tickets/5158', kind, status, vendorMessage: 'x', retryAfterMs });
}

describe('classifyFailure: one place decides what a failed attempt means', () => {
  const circuits = new Circuits();

  it.each([
    ['our own permanent error', new PermanentEventError('no credentials')],
    ['an id the vendor cannot take', new InvalidRequestError('freshdesk', 'ticket id must be a numeric id')],
    ['input that fails our schema', new ZodError([])],
    ['400', apiError('client', 400)],
    ['404', apiError('client', 404)],
    ['410', apiError('client', 410)],
    ['422', apiError('client', 422)],
    ['a 2xx of the wrong shape', apiError('invalid_response', 200)],
  ])('%s is permanent: the dead letters at once', (_what, err) => {
    expect(classifyFailure(err, circuits, now)).toEqual({ kind: 'permanent' });
  });

  it.each([
    ['408', apiError('timeout', 408), 0],
    ['409', apiError('client', 409), 0],
    ['503 with the connection otherwise healthy', apiError('server', 503, 2_000), 2_000],
    ['a timeout', apiError('timeout', null), 0],
    ['a plain Error (a bug of ours, a socket hang up)', new Error('socket hang up'), 0],
  ])('%s is retried and counted', (_what, err, minWaitMs) => {
    expect(classifyFailure(err, circuits, now)).toEqual({ kind: 'retry', counted: true, minWaitMs });
  });

  it('401 and 403 without a circuit (a one-off CLI run) are retried and counted, not dead at once', () => {
    expect(classifyFailure(apiError('client', 401), undefined, now)).toEqual({ kind: 'retry', counted: true, minWaitMs: 0 });
    expect(classifyFailure(apiError('client', 403), undefined, now)).toEqual({ kind: 'retry', counted: true, minWaitMs: 0 });
  });

  it.each([
    ['SQLite: the disk is full', Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })],
    ['SQLite: an I/O error', Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' })],
    ['PostgreSQL: the server is shutting down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['PostgreSQL: the connection was lost', new Error('Connection terminated unexpectedly')],
    ['PostgreSQL: out of connections', Object.assign(new Error('sorry, too many clients already'), { code: '53300' })],
  ])('our own store failing (%s) is not the event\'s fault: retried, not counted', (_what, err) => {
    expect(classifyFailure(err, circuits, now)).toEqual({ kind: 'retry', counted: false, minWaitMs: 1_000 });
  });

  it('a constraint the store refuses for this event (its data) is counted, so it can reach the dead letters', () => {
    expect(classifyFailure(Object.assign(new Error('string or blob too big'), { code: 'SQLITE_TOOBIG' }), circuits, now)).toMatchObject({ kind: 'retry', counted: true });
    expect(classifyFailure(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }), circuits, now)).toMatchObject({ kind: 'retry', counted: true });
  });

  it('429 is the vendor pacing us: retried after its Retry-After, not counted', () => {
    expect(classifyFailure(apiError('rate_limited', 429, 700), circuits, now)).toEqual({ kind: 'retry', counted: false, minWaitMs: 700 });
  });

  it('a call refused by an open circuit waits for the probe, not counted', () => {
    const retryAt = new Date(now.getTime() + 4_000);
    expect(classifyFailure(new CircuitOpenError('jira', 'default', 'outage', retryAt), circuits, now)).toEqual({ kind: 'paused', until: retryAt, why: 'jira connection default: outage' });
  });

  it('a vendor error while its connection\'s circuit is open is the connection\'s: paused until the probe', () => {
    const own = new Circuits({ failureThreshold: 1, probeBaseMs: 3_000, probeMaxMs: 60_000, authProbeMs: 60_000 });
    const err = apiError('server', 503);
    own.of('freshdesk', 'default').failed(err, now);
    expect(classifyFailure(err, own, now)).toEqual({ kind: 'paused', until: new Date(now.getTime() + 3_000), why: 'freshdesk connection default: outage' });
    const refused = apiError('client', 401);
    const auth = new Circuits();
    auth.of('freshdesk', 'default').failed(refused, now);
    expect(classifyFailure(refused, auth, now)).toMatchObject({ kind: 'paused', why: 'freshdesk connection default: auth' });
  });

  it('an event that fails again after its connection answered others is failing on its own: counted, so it can reach the dead letters', () => {
    const own = new Circuits({ failureThreshold: 1, probeBaseMs: 1_000, probeMaxMs: 1_000, authProbeMs: 1_000 });
    const circuit = own.of('freshdesk', 'default');
    const memory = new OutageMemory();
    const bad = apiError('server', 500);
    // Ticket 5158 gets a 500 on every call: it opens the circuit, and is paused the first time.
    circuit.failed(bad, now);
    expect(classifyFailure(bad, own, now, { eventId: 41, memory })).toMatchObject({ kind: 'paused' });
    // A probe for another ticket is answered: the circuit closes.
    const probe = circuit.admit(new Date(now.getTime() + 1_000));
    circuit.succeeded(probe);
    // 5158 runs again, opens the circuit again: this time the failure is its own.
    circuit.failed(bad, new Date(now.getTime() + 1_100));
    expect(classifyFailure(bad, own, new Date(now.getTime() + 1_100), { eventId: 41, memory })).toMatchObject({ kind: 'retry', counted: true });
    // Another event caught in the same open circuit is not blamed.
    expect(classifyFailure(bad, own, new Date(now.getTime() + 1_100), { eventId: 42, memory })).toMatchObject({ kind: 'paused' });
  });

  it('during a real outage (no answers at all) an event is paused every time', () => {
    const own = new Circuits({ failureThreshold: 1, probeBaseMs: 1_000, probeMaxMs: 1_000, authProbeMs: 1_000 });
    const circuit = own.of('freshdesk', 'default');
    const memory = new OutageMemory();
    const down = apiError('network', null);
    circuit.failed(down, now);
    for (let i = 1; i <= 20; i++) {
      const t = new Date(now.getTime() + i * 1_000);
      circuit.failed(down, t, circuit.admit(t));
      expect(classifyFailure(down, own, t, { eventId: 41, memory })).toMatchObject({ kind: 'paused' });
    }
  });
});
