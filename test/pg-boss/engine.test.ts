import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { postgresAvailability, TEST_DATABASE_URL } from '../helpers/stores';

/**
 * The pg-boss engine (PostgreSQL): jest cannot load ESM-only pg-boss, so the scenario runs in a
 * child process (test/pg-boss/engine-scenario.ts under tsx) and this asserts on what it printed.
 * Skipped locally without PostgreSQL; failing in CI (CI=true).
 */
const pg = postgresAvailability();
const run = pg.ok || process.env.CI === 'true' ? describe : describe.skip;

interface RunRow {
  entity: string;
  n: number;
  attempt: number;
  at: number;
  ok: boolean;
}

run('pg-boss engine on PostgreSQL', () => {
  let result: Record<string, unknown>;
  beforeAll(() => {
    const root = path.resolve(__dirname, '../..');
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'engine-scenario.ts'), TEST_DATABASE_URL], {
      cwd: root,
      encoding: 'utf8',
      timeout: 90_000,
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`the scenario failed (status ${String(r.status)}): ${r.stderr}`);
    result = JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;
  }, 100_000);

  const runsOf = (entity: string) => (result.runs as RunRow[]).filter((r) => r.entity === entity);

  test('a redelivery is acknowledged by the inbox and sends no second job', () => {
    expect(result.redelivery).toEqual({ first: 1, again: 1, duplicate: true });
    expect(result.jobsSent).toBe(20);
  });

  test('events of one ticket that were enqueued together, in one group, run in their order', () => {
    expect(runsOf('ticket:E').map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test("one ticket's events run one after another, in order", () => {
    const a = runsOf('ticket:A');
    expect(a.map((r) => r.n)).toEqual([1, 2, 3, 4, 5]);
    // Each takes 30 ms: none started before the previous one ended.
    for (let i = 1; i < a.length; i += 1) expect((a[i] as RunRow).at - (a[i - 1] as RunRow).at).toBeGreaterThanOrEqual(25);
  });

  test('a failing ticket holds back its own later events, not other tickets', () => {
    const c = runsOf('ticket:C');
    expect(c.map((r) => [r.n, r.attempt, r.ok])).toEqual([
      [1, 1, false],
      [1, 2, true],
      [2, 1, true],
    ]);
    const d = runsOf('ticket:D');
    expect(d.map((r) => r.n)).toEqual([1, 2, 3]);
    // D finished while C waited for its retry.
    expect((d[2] as RunRow).at).toBeLessThan((c[1] as RunRow).at);
  });

  test("a permanent failure lands in our dead letters and pg-boss's dead queue, and does not block its ticket", () => {
    const deadId = result.deadEventId as number;
    expect(result.deadLetters).toEqual([{ eventId: deadId, entityKey: 'ticket:B', error: `event ${deadId} cannot work` }]);
    expect(result.deadQueue).toEqual([deadId]);
    expect(result.blockedKeys).toEqual([]);
    expect(result.countsBeforeReplay).toEqual({ pending: 0, processing: 0, done: 19, dead: 1 });
    const b = runsOf('ticket:B');
    expect(b.slice(0, 2).map((r) => [r.n, r.ok])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  test('replay requeues the dead event with a new job, which runs; its dead-queue copy goes', () => {
    expect(result.replayed).toBe(1);
    expect(runsOf('ticket:B')[2]).toMatchObject({ n: 1, ok: true, attempt: 1 });
    expect(result.countsAfterReplay).toEqual({ pending: 0, processing: 0, done: 20, dead: 0 });
    expect(result.deadQueueAfterReplay).toBe(0);
    expect(result.status).toEqual({ inboxActive: 0, inboxFailed: 0, blockedKeys: [] });
  });
});
