import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { createLogger } from '../../../src/logging/logger';
import { CircuitOpenError, Circuits } from '../../../src/vendors/core/circuit';
import { VendorApiError } from '../../../src/vendors/core/errors';
import { JiraClient } from '../../../src/vendors/jira/client';

/** The circuit as the HTTP core uses it: every call's outcome reported, calls refused while open. */

const BASE = 'https://acme.atlassian.net';
const issue = JSON.parse(readFileSync(join(__dirname, '../../fixtures/jira/api/issue-SUP-311.json'), 'utf8')) as Record<string, unknown>;
const unavailable = { errorMessages: ['Service Unavailable'], errors: {} };

function client(circuits: Circuits) {
  return new JiraClient({
    connectionId: 'default',
    baseUrl: BASE,
    email: 'integration@acme.io',
    apiToken: 'ATATT3xFfGF0-circuit-test',
    timeoutMs: 2000,
    retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5000 },
    logger: createLogger({ level: 'silent' }),
    circuit: circuits.of('jira', 'default'),
  });
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('VendorHttp with a circuit breaker', () => {
  it('opens after the threshold, then refuses calls without sending them, and closes on a probe that succeeds', async () => {
    const circuits = new Circuits({ failureThreshold: 3, probeBaseMs: 200, probeMaxMs: 1_000, authProbeMs: 1_000 });
    const jira = client(circuits);
    // Three attempts (one call, two inline retries) meet 503: the third opens the circuit.
    const down = nock(BASE).get('/rest/api/3/issue/SUP-311').query(true).times(3).reply(503, unavailable);
    expect(await failure(jira.getIssue('SUP-311'))).toBeInstanceOf(VendorApiError);
    expect(down.isDone()).toBe(true);
    expect(circuits.open()).toMatchObject([{ vendor: 'jira', connectionId: 'default', state: 'open', reason: 'outage' }]);
    // Nothing is sent while open: nock has no interceptor, so a sent call would fail differently.
    const refused = await failure(jira.getIssue('SUP-311'));
    expect(refused).toBeInstanceOf(CircuitOpenError);
    await new Promise((r) => setTimeout(r, 220));
    const up = nock(BASE).get('/rest/api/3/issue/SUP-311').query(true).reply(200, issue);
    await expect(jira.getIssue('SUP-311')).resolves.toMatchObject({ key: 'SUP-311' });
    expect(up.isDone()).toBe(true);
    expect(circuits.open()).toEqual([]);
  });

  it('stops inline retries once the circuit opens, instead of sleeping through them', async () => {
    const circuits = new Circuits({ failureThreshold: 1, probeBaseMs: 60_000, probeMaxMs: 60_000, authProbeMs: 60_000 });
    const scope = nock(BASE).get('/rest/api/3/issue/SUP-311').query(true).reply(502, unavailable);
    const err = await failure(client(circuits).getIssue('SUP-311'));
    expect(err).toBeInstanceOf(VendorApiError);
    expect((err as VendorApiError).attempts).toBe(1);
    expect(scope.isDone()).toBe(true);
  });

  it('a 401 opens the circuit at once: the next call of the connection is not sent', async () => {
    const circuits = new Circuits();
    const jira = client(circuits);
    nock(BASE).get('/rest/api/3/issue/SUP-311').query(true).reply(401, { errorMessages: ['Client must be authenticated to access this resource.'] });
    expect(((await failure(jira.getIssue('SUP-311'))) as VendorApiError).status).toBe(401);
    expect(circuits.open()).toMatchObject([{ reason: 'auth' }]);
    expect(await failure(jira.getIssue('SUP-312'))).toBeInstanceOf(CircuitOpenError);
  });

  it('a 404 is an answer: the circuit stays closed', async () => {
    const circuits = new Circuits({ failureThreshold: 1, probeBaseMs: 1_000, probeMaxMs: 1_000, authProbeMs: 1_000 });
    nock(BASE).get('/rest/api/3/issue/SUP-999').query(true).reply(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'] });
    expect(((await failure(client(circuits).getIssue('SUP-999'))) as VendorApiError).status).toBe(404);
    expect(circuits.open()).toEqual([]);
  });
});
