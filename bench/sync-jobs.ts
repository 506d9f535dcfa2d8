/**
 * Benchmark of the M6 sync jobs, against the vendor sandboxes on loopback.
 *
 * 1. Calls per idle poll cycle, per connection (goal: 1). A real helpdesk-sync has processed
 *    what the first poll found; later polls find nothing new.
 * 2. A backfill of BENCH_BACKFILL_TICKETS tickets (default 10,000) of Zendesk, then of Freshdesk
 *    (BENCH_BACKFILL_RUNS=both: the two at once) through sandboxes that ENFORCE the vendors' documented rate limits
 *    (Zendesk 700/min and 10/min on incremental exports; Freshdesk Pro 400/min with the tickets
 *    list at 100/min; Jira 100/s per method class), with a "minute" of BENCH_MINUTE_MS
 *    (default 6000 ms: every window and every Retry-After is a tenth of the vendor's).
 *    What is measured is the walk plus the worker's fetches, end to end: `sync run --job
 *    backfill` as its own process puts the events in, a real server (`serve`, its own process)
 *    fetches every ticket. The walk alone needs 10 export calls and 100 list calls, far inside
 *    the limits; the fetches are what the limits bind. Reported: wall time against the floor
 *    those limits set for the calls actually made, peak RSS of both processes, and whether
 *    every ticket was queued exactly once and processed. BENCH_THROTTLE_MODE=off measures the
 *    server without its opt-in proactive throttling (429 and Retry-After only).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { loadConfig } from '../src/config/load';
import { createLogger } from '../src/logging/logger';
import { enforceDocumentedLimits } from '../src/sandbox/core/documented-limits';
import { seedFreshdeskHistory, seedZendeskHistory } from '../src/sandbox/core/history-seed';
import type { EnforcedRateLimits } from '../src/sandbox/core/rate-limiter';
import { INTEGRATION_ACTORS, startSandboxes, type Sandboxes } from '../src/sandbox/world';
import { startService } from '../src/server';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import { VendorClients } from '../src/sync/clients';
import { runJob } from '../src/sync/jobs/run-job';

const TICKETS = Number(process.env.BENCH_BACKFILL_TICKETS ?? 10_000);
const MINUTE_MS = Number(process.env.BENCH_MINUTE_MS ?? 6000);
const IDLE_CYCLES = Number(process.env.BENCH_IDLE_CYCLES ?? 5);
/** on: the server paces its calls to each helpdesk at BENCH_THROTTLE_SHARE of the budget (opt-in, src/vendors/core/throttle.ts); off: 429 and Retry-After only. */
const THROTTLE = (process.env.BENCH_THROTTLE_MODE ?? 'on') === 'on';
const THROTTLE_SHARE = Number(process.env.BENCH_THROTTLE_SHARE ?? 0.97);
const SERVE_THROTTLED = path.join(__dirname, 'serve-throttled.ts');
const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
const VENDORS = ['zendesk', 'freshdesk', 'jira'] as const;
type BenchVendor = (typeof VENDORS)[number];

/** The server's own schedules stay off: the bench runs the jobs itself, at known moments. */
const NO_SCHEDULE = { schedules: { consultSweep: '*/15 * * * *', poll: '0 0 29 2 *', reconcile: '0 0 29 2 *' } };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const out = (line = '') => process.stdout.write(`${line}\n`);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function configFile(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, stringifyYaml(value));
  return file;
}

// ---- 1. calls per idle poll cycle

async function idlePoll(): Promise<void> {
  const boxes = await startSandboxes();
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-bench-idle-'));
  const loaded = loadConfig({ env: { ...boxes.env, DATABASE_URL: path.join(dir, 'bench.db'), PORT: '0', LOG_LEVEL: 'silent', CONFIG_FILE: configFile(dir, 'c.yaml', NO_SCHEDULE) } });
  const logger = createLogger({ level: 'silent' });
  const service = await startService(loaded, { logger, host: '127.0.0.1' });
  const deps = { loaded, store: service.store, clients: service.clients, logger, onEnqueued: () => service.worker.wake() };
  const drained = async () => {
    for (;;) {
      const c = await service.store.inboxCounts();
      if (c.pending === 0 && c.processing === 0) return;
      await sleep(20);
    }
  };
  // The first poll of each connection looks an hour back and finds the seeded tickets; the server processes them.
  await runJob(deps, { job: 'poll' });
  await drained();
  await runJob(deps, { job: 'poll' });
  await drained();
  const perCycle: Record<BenchVendor, number[]> = { zendesk: [], freshdesk: [], jira: [] };
  const enqueued: number[] = [];
  for (let i = 0; i < IDLE_CYCLES; i += 1) {
    const from = Date.now();
    const r = await runJob(deps, { job: 'poll' });
    enqueued.push(r.summary.enqueued);
    for (const v of VENDORS) perCycle[v].push(boxes[v].http.calls.since(from, { actor: INTEGRATION_ACTORS[v] }).length);
  }
  out(`## Calls per idle poll cycle (${IDLE_CYCLES} cycles after the first two)`);
  out('| Connection | Calls per cycle (max / mean) | Endpoint |');
  out('|---|---|---|');
  const endpoint: Record<BenchVendor, string> = {
    zendesk: 'GET /api/v2/incremental/tickets/cursor.json?cursor=...',
    freshdesk: 'GET /api/v2/tickets?updated_since=...&order_by=updated_at&order_type=asc&per_page=100',
    jira: 'POST /rest/api/3/search/jql',
  };
  for (const v of VENDORS) {
    const xs = perCycle[v];
    out(`| ${v}/default | ${Math.max(...xs)} / ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1)} | ${endpoint[v]} |`);
  }
  out(`Events queued by the idle cycles: ${enqueued.reduce((a, b) => a + b, 0)}`);
  out();
  await service.stop();
  await boxes.close();
}

// ---- 2. backfill through enforced limits

interface Peak {
  hwmKb: number;
}

/** Peak RSS of a child, from /proc/<pid>/status (VmHWM), sampled until it exits. */
function watchRss(child: ChildProcess, peak: Peak): () => void {
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm?.[1]) peak.hwmKb = Math.max(peak.hwmKb, Number(hwm[1]));
    } catch {
      // The process is gone; its last sample stands.
    }
  }, 100);
  return () => clearInterval(timer);
}

function spawnCli(args: string[], env: Record<string, string | undefined>, entry = MAIN): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  // Keep the start of what it says (the listening line, an error); the rest is drained unread.
  const keep = (c: Buffer) => {
    if (text.length < 64_000) text += c.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** The earliest moment the n-th call of a budget could be made: floor((n-1)/limit) windows after the first. */
function floorMs(limits: EnforcedRateLimits): { ms: number; rule: string } {
  let best = { ms: 0, rule: 'none' };
  for (const [name, s] of Object.entries(limits.stats())) {
    const ms = s.admitted > 0 ? Math.floor((s.admitted - 1) / s.limit) * s.windowMs : 0;
    if (ms > best.ms) best = { ms, rule: name };
  }
  return best;
}

type Helpdesk = 'zendesk' | 'freshdesk';

async function backfillBench(helpdesks: readonly Helpdesk[]): Promise<void> {
  const boxes: Sandboxes = await startSandboxes();
  const from = new Date('2025-01-01T00:00:00Z');
  const to = new Date('2025-12-31T00:00:00Z');
  const seedStarted = Date.now();
  const zdIds = helpdesks.includes('zendesk') ? seedZendeskHistory(boxes.zendesk, TICKETS, from, to) : [];
  const fdIds = helpdesks.includes('freshdesk') ? seedFreshdeskHistory(boxes.freshdesk, TICKETS, from, to) : [];
  out(`## Backfill of ${TICKETS} tickets of ${helpdesks.join(' and ')} (${helpdesks.length > 1 ? 'both at once' : 'alone'}) through the documented rate limits ("minute" = ${MINUTE_MS} ms)`);
  out(`Seeded ${zdIds.length} Zendesk and ${fdIds.length} Freshdesk tickets in ${secs(Date.now() - seedStarted)}.`);
  const limits = enforceDocumentedLimits([boxes.zendesk.http, boxes.freshdesk.http, boxes.jira.http], { minuteMs: MINUTE_MS });
  for (const v of VENDORS) boxes[v].http.calls.reset();

  const dir = mkdtempSync(path.join(tmpdir(), 'hs-bench-backfill-'));
  const db = path.join(dir, 'bench.db');
  const env = { ...boxes.env, DATABASE_URL: db, PORT: '0', LOG_LEVEL: 'info', LOG_FORMAT: 'json', NODE_ENV: 'production', CONFIG_FILE: configFile(dir, 'c.yaml', NO_SCHEDULE) };

  const throttle = [
    { vendor: 'zendesk', connectionId: 'default', calls: Math.floor(700 * THROTTLE_SHARE), windowMs: MINUTE_MS },
    { vendor: 'freshdesk', connectionId: 'default', calls: Math.floor(400 * THROTTLE_SHARE), windowMs: MINUTE_MS },
  ];
  out(THROTTLE ? `The server paces its calls (opt-in proactive throttling): ${throttle.map((t) => `${t.vendor} ${t.calls} per ${t.windowMs} ms`).join(', ')}.` : 'No proactive throttling: 429 and Retry-After only.');
  const server = THROTTLE ? spawnCli(['serve'], { ...env, BENCH_THROTTLE: JSON.stringify(throttle) }, SERVE_THROTTLED) : spawnCli(['serve'], env);
  const serverPeak: Peak = { hwmKb: 0 };
  const stopServerWatch = watchRss(server.child, serverPeak);
  for (let i = 0; i < 600 && !server.output().includes('helpdesk-sync listening'); i += 1) await sleep(50);
  if (!server.output().includes('helpdesk-sync listening')) throw new Error(`the server did not start:\n${server.output()}`);

  const store = new SqliteStore(db);
  const started = Date.now();
  const only = helpdesks.length === 1 ? ['--vendor', helpdesks[0] as string] : [];
  const walk = spawnCli(['sync', 'run', '--job', 'backfill', '--since', from.toISOString(), ...only], env);
  const walkPeak: Peak = { hwmKb: 0 };
  const stopWalkWatch = watchRss(walk.child, walkPeak);
  const walkCode = await walk.exited;
  stopWalkWatch();
  const walkDone = Date.now();
  for (;;) {
    const c = await store.inboxCounts();
    if (c.pending === 0 && c.processing === 0) break;
    await sleep(100);
  }
  const drained = Date.now();
  stopServerWatch();
  server.child.kill('SIGTERM');
  await server.exited;

  // Nothing lost: every ticket queued exactly once, processed, and its snapshot kept.
  const check = async (vendor: 'zendesk' | 'freshdesk', ids: number[]) => {
    const events = (await store.listEvents({ vendor, limit: 10 * TICKETS })).filter((e) => e.source === 'backfill');
    const keys = new Set(events.map((e) => e.entityKey));
    const done = events.filter((e) => e.status === 'done').length;
    let snapshots = 0;
    for (const id of ids) if (await store.getSnapshot({ vendor, connectionId: 'default', id: String(id) })) snapshots += 1;
    const lastDone = Math.max(...events.map((e) => e.processedAt?.getTime() ?? 0));
    const missing = ids.filter((id) => !keys.has(`ticket:${id}`)).length;
    return { events: events.length, unique: keys.size, done, snapshots, missing, lastDone };
  };
  const none = { events: 0, unique: 0, done: 0, snapshots: 0, missing: 0, lastDone: 0 };
  const zd = zdIds.length ? await check('zendesk', zdIds) : none;
  const fd = fdIds.length ? await check('freshdesk', fdIds) : none;
  const dead = (await store.listDeadLetters()).length;
  await store.close();

  const first = Math.min(...helpdesks.map((v) => boxes[v].http.calls.all()[0]?.at ?? Number.POSITIVE_INFINITY));
  const lastDone = Math.max(zd.lastDone, fd.lastDone);
  const rows: string[] = [];
  let overall = { ms: 0, rule: 'none' };
  for (const v of helpdesks) {
    const l = limits.get(v) as EnforcedRateLimits;
    const f = floorMs(l);
    if (f.ms > overall.ms) overall = f;
    const calls = boxes[v].http.calls.all();
    const served = calls.filter((c) => c.status !== 429);
    const rejected = calls.length - served.length;
    const vFirst = calls[0]?.at ?? first;
    const vLast = (v === 'zendesk' ? zd : fd).lastDone;
    const byEndpoint: Record<string, number> = {};
    for (const c of served) byEndpoint[`${c.method} ${c.endpoint}`] = (byEndpoint[`${c.method} ${c.endpoint}`] ?? 0) + 1;
    const top = Object.entries(byEndpoint).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join('; ');
    rows.push(`| ${v} | ${served.length} (${top}) | ${rejected} | ${f.rule} | ${secs(f.ms)} | ${secs(vLast - vFirst)} | ${(f.ms ? (vLast - vFirst) / f.ms : 0).toFixed(3)} |`);
  }
  out('| Helpdesk | Calls served | 429s | Binding budget | Floor | Wall (first call to last event done) | Wall / floor |');
  out('|---|---|---|---|---|---|---|');
  rows.forEach((r) => out(r));
  out();
  out(`Whole run: floor ${secs(overall.ms)} (${overall.rule}); wall from the first vendor call to the last event processed ${secs(lastDone - first)}, ratio ${(overall.ms ? (lastDone - first) / overall.ms : 0).toFixed(3)}.`);
  out(`From starting the CLI: walk finished after ${secs(walkDone - started)} (exit ${walkCode}), inbox drained after ${secs(drained - started)}.`);
  out(`Peak RSS (VmHWM): backfill CLI ${mb(walkPeak.hwmKb)}, server (worker) ${mb(serverPeak.hwmKb)}.`);
  for (const [name, r, n] of [['Zendesk', zd, zdIds.length], ['Freshdesk', fd, fdIds.length]] as const) {
    if (n === 0) continue;
    out(`${name}: ${r.events} backfill events for ${n} tickets, ${r.unique} distinct, ${r.missing} missing, ${r.done} done, ${r.snapshots} snapshots kept.`);
  }
  out(`Dead letters: ${dead}.`);
  const lost = zd.missing + fd.missing + (zd.events - zd.unique) + (fd.events - fd.unique) + (zd.events - zd.done) + (fd.events - fd.done) + dead;
  out(lost === 0 ? 'Nothing lost: every ticket was queued exactly once and processed.' : `PROBLEM: ${lost} tickets lost, duplicated or unprocessed.`);
  if (walkCode !== 0) out(`The backfill CLI said:\n${walk.output()}`);
  await boxes.close();
  if (lost !== 0 || walkCode !== 0) process.exitCode = 1;
  out();
}

/** `zendesk,freshdesk` (default): each helpdesk's backfill alone, one after the other; `both`: the two at once. */
const RUNS: Helpdesk[][] =
  (process.env.BENCH_BACKFILL_RUNS ?? 'zendesk,freshdesk') === 'both'
    ? [['zendesk', 'freshdesk']]
    : (process.env.BENCH_BACKFILL_RUNS ?? 'zendesk,freshdesk').split(',').map((v) => [v.trim() as Helpdesk]);

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  if (!only || only === 'idle') await idlePoll();
  if (!only || only === 'backfill') for (const run of RUNS) await backfillBench(run);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
