import { Metrics } from '../../src/metrics/registry';
import { watchCircuits } from '../../src/sync/circuit-monitor';
import { Circuits } from '../../src/vendors/core/circuit';
import { VendorApiError } from '../../src/vendors/core/errors';
import { memoryStore } from '../helpers/app';
import { captureLogs } from '../helpers/logs';
import { valueOf } from '../metrics/scrape';

const T0 = new Date('2026-12-03T10:00:00Z');

const flush = () => new Promise((r) => setTimeout(r, 20));

describe('watchCircuits: what operators see of a circuit', () => {
  it('credentials refused: an error naming the connection, a stored row for sync status, the metrics; back: info, row gone, worker woken', async () => {
    const store = memoryStore();
    const { lines, logger } = captureLogs();
    const metrics = new Metrics({ store, logger, defaultMetrics: false });
    const circuits = new Circuits({ failureThreshold: 5, probeBaseMs: 1_000, probeMaxMs: 60_000, authProbeMs: 60_000 });
    let woken = 0;
    watchCircuits(circuits, { store, logger, metrics, holder: 'sync-1:4242:1f2e3d4c', onClosed: () => (woken += 1) });
    const circuit = circuits.of('zendesk', 'partner-b');
    circuit.failed(
      new VendorApiError({ vendor: 'zendesk', connectionId: 'partner-b', operation: 'getTicket', method: 'GET', path: '/api/v2/tickets/5158.json', kind: 'client', status: 401, vendorMessage: "Couldn't authenticate you" }),
      T0,
    );
    await flush();
    const error = lines.find((l) => l.level === 'error');
    expect(error?.message).toMatch(/^zendesk connection "partner-b" refuses our credentials \(401\/403\): its events are paused without spending attempts/);
    expect(error).toMatchObject({ vendor: 'zendesk', connection: 'partner-b', circuit: 'open', reason: 'auth' });
    expect(await store.listCircuits()).toMatchObject([{ vendor: 'zendesk', connectionId: 'partner-b', holder: 'sync-1:4242:1f2e3d4c', state: 'open', reason: 'auth', probeAt: new Date(T0.getTime() + 60_000) }]);
    let text = await metrics.text();
    expect(valueOf(text, 'helpdesk_sync_vendor_circuit_open', { vendor: 'zendesk', connection: 'partner-b' })).toBe(1);
    expect(valueOf(text, 'helpdesk_sync_vendor_circuit_openings_total', { vendor: 'zendesk', connection: 'partner-b', reason: 'auth' })).toBe(1);

    circuit.succeeded(circuit.admit(new Date(T0.getTime() + 60_000)));
    await flush();
    expect(lines.some((l) => l.level === 'info' && l.message === 'zendesk connection "partner-b" answers again: circuit closed, its waiting events run in order')).toBe(true);
    expect(await store.listCircuits()).toEqual([]);
    expect(woken).toBe(1);
    text = await metrics.text();
    expect(valueOf(text, 'helpdesk_sync_vendor_circuit_open', { vendor: 'zendesk', connection: 'partner-b' })).toBe(0);
  });

  it('a store that cannot write the row is logged, and the circuit works on', async () => {
    const store = memoryStore();
    await store.close();
    const { lines, logger } = captureLogs();
    const circuits = new Circuits({ failureThreshold: 1, probeBaseMs: 1_000, probeMaxMs: 1_000, authProbeMs: 1_000 });
    watchCircuits(circuits, { store, logger, metrics: new Metrics({ defaultMetrics: false }), holder: 'h' });
    circuits.of('jira', 'default').failed(new VendorApiError({ vendor: 'jira', connectionId: 'default', operation: 'getIssue', method: 'GET', path: '/rest/api/3/issue/SUP-1', kind: 'network', status: null, vendorMessage: 'ECONNREFUSED' }), T0);
    await flush();
    expect(lines.some((l) => l.message === 'could not record a circuit change in the store')).toBe(true);
    expect(circuits.open()).toHaveLength(1);
  });
});
