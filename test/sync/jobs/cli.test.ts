import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { loadConfig } from '../../../src/config/load';
import type { Ticket } from '../../../src/domain/ticket';
import { createLogger } from '../../../src/logging/logger';
import { seedFreshdeskHistory } from '../../../src/sandbox/core/history-seed';
import { ZendeskAgent } from '../../../src/sandbox/demo/actors';
import { sandboxPolicyYaml } from '../../../src/sandbox/policy-roles';
import { ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import { INTEGRATION_ACTORS, startSandboxes, type Sandboxes } from '../../../src/sandbox/world';
import { startService, type RunningService } from '../../../src/server';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { configFile } from '../../e2e/stack';

/**
 * `helpdesk-sync sync ...` as its own process beside a running server, on the same SQLite
 * file, as an operator runs it: a missed webhook made good by a poll, `sync status`, two polls
 * at once, and a backfill killed with SIGKILL and resumed.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
/** Node itself with tsx's loader: one process, so SIGKILL hits the CLI and nothing else. */
const cliArgs = (args: string[]) => ['--import', 'tsx', MAIN, ...args];
/** Jobs stay off the server's cron in these tests: the CLI runs them. */
const NO_SCHEDULE = { schedules: { consultSweep: '*/15 * * * *', poll: '0 0 29 2 *', reconcile: '0 0 29 2 *' } };

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startCli(args: string[], env: Record<string, string | undefined>): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, cliArgs(args), { cwd: ROOT, env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliRun>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const cli = (args: string[], env: Record<string, string | undefined>) => startCli(args, env).done;

async function until<T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function envFor(boxes: Sandboxes, db: string, extra: Record<string, unknown> = {}): Record<string, string | undefined> {
  const yaml = stringifyYaml({ ...NO_SCHEDULE, ...extra });
  return { ...boxes.env, DATABASE_URL: db, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', CONFIG_FILE: [configFile(), configFile(sandboxPolicyYaml()), configFile(yaml)].join(path.delimiter) };
}

describe('sync run and sync status beside a running server', () => {
  let boxes: Sandboxes;
  let service: RunningService;
  let env: Record<string, string | undefined>;
  let dana: ZendeskAgent;

  beforeAll(async () => {
    boxes = await startSandboxes({ webhookRetryDelayMs: 20 });
    const db = path.join(mkdtempSync(path.join(tmpdir(), 'hs-sync-cli-')), 'helpdesk-sync.db');
    env = envFor(boxes, db);
    const loaded = loadConfig({ env: { ...env, PORT: '0', LOG_LEVEL: 'silent' } });
    service = await startService(loaded, { logger: createLogger({ level: 'silent' }), host: '127.0.0.1' });
    boxes.connect(service.url);
    dana = new ZendeskAgent(boxes.urls.zendesk, ZENDESK_AGENTS.danaFox.email, ZENDESK_AGENTS.danaFox.apiKey);
  });
  afterAll(async () => {
    boxes.connect(null);
    await service.stop();
    await boxes.close();
  });

  const settled = async () => {
    await boxes.webhooksIdle();
    await until(async () => {
      const c = await service.store.inboxCounts();
      return c.pending === 0 && c.processing === 0;
    }, 'the inbox to drain');
  };
  const snapshot = async (id: number) => (await service.store.getSnapshot({ vendor: 'zendesk', connectionId: 'default', id: String(id) }))?.data as Ticket | undefined;

  it('a webhook lost at the vendor is made good by `sync run --job poll --once`', async () => {
    const ticket = await dana.createTicket({
      subject: 'Dashboard timezone is off by one hour',
      comment: { body: 'All readings appear one hour late since Sunday.', public: true },
      requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
      group_id: ZENDESK_GROUPS.aegentTier1.id,
    });
    await settled();
    // The first poll sets the cursors (and looks an hour back).
    expect((await cli(['sync', 'run', '--job', 'poll', '--once'], env)).code).toBe(0);
    await settled();

    // A public reply and a status change, whose webhooks Zendesk loses.
    boxes.zendesk.http.faults.set({ dropWebhooksNext: 10 });
    await dana.comment(ticket.id, 'We found it: the DST switch in the ingest job. A fix ships tonight.', true, { status: 'pending' });
    boxes.zendesk.http.faults.clear();
    await settled();
    expect(boxes.zendesk.webhooks.deliveries.filter((d) => d.entity === `ticket:${ticket.id}` && d.dropped).length).toBeGreaterThan(0);
    expect((await snapshot(ticket.id))?.status).toBe('open');

    const poll = await cli(['sync', 'run', '--job', 'poll', '--once'], env);

    expect(poll.code).toBe(0);
    expect(poll.stdout).toMatch(/^poll zendesk\/default page 1: \d+ tickets, \d+ changed, \d+ enqueued/m);
    expect(poll.stdout).toMatch(/^poll ok in .*: seen \d+, changed \d+, enqueued \d+, errors 0$/m);
    const events = await service.store.listEvents({ vendor: 'zendesk', entityKey: `ticket:${ticket.id}` });
    const polled = events.filter((e) => e.source === 'poll');
    expect(polled.map((e) => e.eventType)).toEqual(['poll.ticket_changed']);
    expect(polled[0]?.dedupeKey).toBe(`poll:${ticket.id}:${boxes.zendesk.ticket(ticket.id)?.updatedAt}`);
    await settled();
    const seen = await snapshot(ticket.id);
    expect(seen?.status).toBe('pending');
    expect(seen?.comments.map((c) => c.bodyText)).toContain('We found it: the DST switch in the ingest job. A fix ships tonight.');
    expect((await service.store.getEvent(polled[0]?.id ?? 0))?.status).toBe('done');

    // Polling again finds nothing new for it: the snapshot has that state.
    const again = await cli(['sync', 'run', '--job', 'poll', '--once', '--vendor', 'zendesk'], env);
    expect(again.stdout).toMatch(/^poll ok in .*: seen \d+, changed 0, enqueued 0, errors 0$/m);
  });

  it('`sync status` prints each job\'s last run and each cursor\'s lag', async () => {
    const status = await cli(['sync', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Jobs \(last run of each\):$/m);
    expect(status.stdout).toMatch(/^ {2}poll {7}ok {7}started \S+ \(.* ago\), took .*, seen \d+, changed 0, enqueued 0, errors 0$/m);
    expect(status.stdout).toMatch(/^ {2}reconcile {2}never run$/m);
    expect(status.stdout).toMatch(/^ {2}backfill {3}never run$/m);
    expect(status.stdout).toMatch(/^ {2}poll:zendesk:default +lag \S+ \S+ +last reached the end .* ago$/m);
    expect(status.stdout).toMatch(/^ {2}poll:freshdesk:default +lag .* reads on from \S+$/m);
    const json = JSON.parse((await cli(['sync', 'status', '--json'], env)).stdout) as { jobs: Array<{ job: string; outcome: string }>; cursors: Array<{ name: string; lagMs: number }> };
    expect(json.jobs.find((j) => j.job === 'poll')?.outcome).toBe('ok');
    expect(json.cursors.map((c) => c.name)).toEqual(['poll:freshdesk:default', 'poll:jira:default', 'poll:zendesk:default']);
  });

  it('two polls at once: the second skips with a clear line and exits 0', async () => {
    boxes.zendesk.http.faults.set({ latencyMs: 4000 });
    const first = startCli(['sync', 'run', '--job', 'poll', '--once'], env);
    await until(async () => (await service.store.lastJobRuns()).find((r) => r.job === 'poll' && r.outcome === 'running'), 'the first poll to start');
    const second = await cli(['sync', 'run', '--job', 'poll', '--once'], env);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('poll skipped: another run holds the job:poll lock; nothing done (--wait waits for it instead).');
    boxes.zendesk.http.faults.clear();
    expect((await first.done).code).toBe(0);
  });

  it('reconcile and bad arguments answer with their exit status', async () => {
    const reconcile = await cli(['sync', 'run', '--job', 'reconcile'], env);
    expect(reconcile.code).toBe(0);
    expect(reconcile.stdout).toMatch(/^reconcile ok in .*: seen \d+, changed 0, enqueued \d+, errors 0, pairs \d+$/m);
    const bad = await cli(['sync', 'run', '--job', 'sweep'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/expected one of poll, reconcile, backfill/);
    const noSince = await cli(['sync', 'run', '--job', 'backfill', '--vendor', 'jira'], env);
    expect(noSince.code).toBe(1);
    expect(noSince.stdout).toMatch(/jira\/default: .*failed: no backfill of jira\/default to resume: give --since <date> for the first run/);
  });
});

describe('sync run --job backfill after kill -9', () => {
  let boxes: Sandboxes;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    boxes = await startSandboxes();
    seedFreshdeskHistory(boxes.freshdesk, 1000, new Date('2025-02-01T00:00:00Z'), new Date('2025-06-01T00:00:00Z'));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await boxes.close();
  });

  it('resumes from the last page saved and queues every ticket exactly once', async () => {
    const db = path.join(mkdtempSync(path.join(tmpdir(), 'hs-backfill-kill-')), 'helpdesk-sync.db');
    // A 2 s lock: the killed run's lock lapses quickly, and --wait waits for it.
    const env = envFor(boxes, db, { jobs: { lockTtlSeconds: 2, backfillMaxPending: 100_000 } });
    const store = new SqliteStore(db);
    const listCalls = (from: number) => boxes.freshdesk.http.calls.since(from, { actor: INTEGRATION_ACTORS.freshdesk, method: 'GET', path: '/api/v2/tickets' }).length;
    const cursor = async () => JSON.parse((await store.getCursor('backfill:freshdesk:default')) ?? 'null') as { position: string | null; complete: boolean } | null;
    boxes.freshdesk.http.faults.set({ latencyMs: 250 });

    const first = startCli(['sync', 'run', '--job', 'backfill', '--since', '2025-01-01', '--vendor', 'freshdesk'], env);
    children.push(first.child);
    await until(async () => {
      const c = await cursor();
      return c && c.position && (await store.countPending('backfill')) >= 300;
    }, 'three pages of the backfill to be saved');
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const saved = await cursor();
    expect(saved?.complete).toBe(false);
    const queuedBefore = await store.countPending('backfill');
    const total = [...boxes.freshdesk.state.tickets.values()].filter((t) => Date.parse(t.updatedAt) >= Date.parse('2025-01-01T00:00:00Z')).length;
    expect(queuedBefore).toBeLessThan(total);

    boxes.freshdesk.http.faults.clear();
    const from = Date.now();
    const resumed = await cli(['sync', 'run', '--job', 'backfill', '--vendor', 'freshdesk', '--wait'], env);

    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(`note: freshdesk/default: resumed from its cursor (stopped at ${saved?.position})`);
    expect(resumed.stdout).toMatch(/^backfill ok in /m);
    // Only the pages from the saved one on were read again.
    expect(listCalls(from)).toBeLessThanOrEqual(Math.ceil(total / 100) - Math.floor(queuedBefore / 100) + 1);
    const events = await store.listEvents({ vendor: 'freshdesk', limit: 10_000 });
    expect(events).toHaveLength(total);
    expect(new Set(events.map((e) => e.entityKey)).size).toBe(total);
    expect(events.every((e) => e.source === 'backfill')).toBe(true);
    expect((await cursor())?.complete).toBe(true);
    const runs = await store.lastJobRuns();
    expect(runs.find((r) => r.job === 'backfill')).toMatchObject({ outcome: 'ok', summary: { errors: 0 } });
    await store.close();
  });
});
