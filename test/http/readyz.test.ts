import request from 'supertest';
import { createApp } from '../../src/http/app';
import { createLogger } from '../../src/logging/logger';
import type { Store } from '../../src/store/types';
import { circuitLines } from '../../src/cli/sync';
import { Circuits } from '../../src/vendors/core/circuit';
import { VendorApiError } from '../../src/vendors/core/errors';
import { memoryStore, testConfig } from '../helpers/app';

/** Readiness proves the store takes writes, and says which vendor connections are paused. */

const logger = createLogger({ level: 'silent' });
const NOW = new Date('2026-12-03T10:00:00Z');

/** A store that reads but cannot write, as SQLite on a full disk or a read-only file. */
function readOnly(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'acquireLock') return () => Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

describe('GET /readyz', () => {
  it('answers 503 "store cannot write" when reads work and writes fail, without the driver\'s words', async () => {
    const app = createApp({ loaded: testConfig(), store: readOnly(memoryStore()), logger, now: () => NOW });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'not ready', error: 'store cannot write', circuits: [] });
  });

  it('answers 503 when the store does not answer within 2 s', async () => {
    const store = memoryStore();
    const hung = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'acquireLock') return () => new Promise(() => undefined);
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const app = createApp({ loaded: testConfig(), store: hung, logger, now: () => NOW });
    const started = Date.now();
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('stays ready while a vendor connection is paused, and lists its circuit', async () => {
    const circuits = new Circuits();
    const err = new VendorApiError({ vendor: 'jira', connectionId: 'default', operation: 'createIssue', method: 'POST', path: '/rest/api/3/issue', kind: 'client', status: 401, vendorMessage: 'Client must be authenticated to access this resource.' });
    circuits.of('jira', 'default').failed(err, NOW);
    const app = createApp({ loaded: testConfig(), store: memoryStore(), logger, now: () => NOW, circuits });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.circuits).toEqual([
      {
        vendor: 'jira',
        connection: 'default',
        state: 'open',
        reason: 'auth',
        since: '2026-12-03T10:00:00.000Z',
        nextProbeAt: '2026-12-03T10:01:00.000Z',
        lastError: 'jira createIssue (POST /rest/api/3/issue) failed: 401 Client must be authenticated to access this resource.',
      },
    ]);
  });
});

describe('sync status: open circuits', () => {
  it('says every circuit is closed, or which connection waits, why, until when, and in which process', () => {
    expect(circuitLines([], NOW)).toEqual(['Vendor connections: every circuit closed (no connection paused)']);
    const lines = circuitLines(
      [
        {
          vendor: 'jira',
          connectionId: 'default',
          holder: 'sync-1:4242:1f2e3d4c',
          state: 'open',
          reason: 'outage',
          failures: 7,
          openedAt: new Date(NOW.getTime() - 90_000),
          probeAt: new Date(NOW.getTime() + 30_000),
          lastError: 'jira getIssue (GET /rest/api/3/issue/SUP-311) failed: 503 Service Unavailable',
          updatedAt: new Date(NOW.getTime() - 10_000),
        },
        {
          vendor: 'zendesk',
          connectionId: 'partner-b',
          holder: 'sync-2:77:aa00bb11',
          state: 'open',
          reason: 'auth',
          failures: 1,
          openedAt: new Date(NOW.getTime() - 3_600_000),
          probeAt: new Date(NOW.getTime() - 3_000_000),
          lastError: null,
          updatedAt: new Date(NOW.getTime() - 3_000_000),
        },
      ],
      NOW,
    );
    expect(lines[0]).toBe('Vendor connections paused (2 open circuit(s); their events wait without spending attempts):');
    expect(lines[1]).toMatch(/^ {2}jira\/default +open \(outage\) since 2026-12-03T09:58:30.000Z \(1 min\), 7 failure\(s\), next probe in 30 s, in sync-1:4242:1f2e3d4c$/);
    expect(lines[2]).toContain('last error: jira getIssue (GET /rest/api/3/issue/SUP-311) failed: 503 Service Unavailable');
    expect(lines[3]).toMatch(/zendesk\/partner-b +open \(auth\) .*probe due, in sync-2:77:aa00bb11; not updated for 50 min, its process may have stopped$/);
  });
});
