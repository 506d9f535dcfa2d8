/**
 * Benchmark of the webhook door under a burst, side by side with a bare express app, all in
 * one run (see BENCHMARKS.md "Webhook intake under a burst").
 *
 * Processes: this one runs only autocannon and the bookkeeping; the bare app
 * (bench/bare-app.ts), each helpdesk-sync (`tsx src/cli/main.ts serve`, a fresh SQLite file
 * each) and the vendor sandboxes (bench/sandbox-host.ts) each run in a process of their own.
 *
 * 1. Intake throughput: autocannon, BENCH_CONNECTIONS (20) connections, BENCH_INTAKE_SECONDS
 *    (8) per round, rounds alternating bare / helpdesk-sync (BENCH_ROUNDS, 2 each) so machine
 *    noise hits both; shapes (a) every request about one Jira issue, (b) spread over
 *    BENCH_ISSUES (500) issues. The requests are a real `jira:issue_updated` body, signed as
 *    Jira signs, prebuilt (bench/signed-bodies.ts). With BENCH_BACKLOG (100000; 0 skips) the
 *    helpdesk-sync rounds are repeated with that many pending events already in its inbox.
 * 2. Worker drain rate: BENCH_DRAIN_EVENTS (2000) events over BENCH_DRAIN_ISSUES (200) issues
 *    stored while no worker runs, then `serve` with its worker, Jira answering in 10 ms.
 * 3. End to end, webhook sent to Jira write: Zendesk ticket.created webhooks that raise a Jira
 *    issue (J1), BENCH_E2E_RATE (4) a second, BENCH_E2E_EVENTS (40) of them, every sandbox
 *    answering in 100 ms; the write's time is the Jira sandbox's own record of the issue.
 * 4. BENCH_POSTGRES_URL (or a postgres:// DATABASE_URL): the intake rounds again on it.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeDocSection } from './doc-section';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { ZENDESK_ACCOUNT_ID, ZENDESK_WEBHOOK_ID } from '../src/sandbox/zendesk/webhooks';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import type { InboxCounts } from '../src/store/types';
import { jiraBodyFor, loadJiraFixture, prebuildJiraRequests, RequestRotation, zendeskHeaders, type IssueRef, type JiraFixture, type PrebuiltRequest } from './signed-bodies';

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, got ${raw}`);
  return n;
};

const SECONDS = num('BENCH_INTAKE_SECONDS', 8);
const CONNECTIONS = num('BENCH_CONNECTIONS', 20);
const ROUNDS = num('BENCH_ROUNDS', 2);
const WARMUP_SECONDS = num('BENCH_WARMUP_SECONDS', 4);
const SPREAD_ISSUES = num('BENCH_ISSUES', 500);
const BACKLOG = num('BENCH_BACKLOG', 100_000);
/** Backlog events per issue: the backlog is about issues of its own, a few events each. */
const BACKLOG_PER_ISSUE = 5;
const DRAIN_EVENTS = num('BENCH_DRAIN_EVENTS', 2000);
const DRAIN_ISSUES = num('BENCH_DRAIN_ISSUES', 200);
const DRAIN_LATENCY_MS = 10;
const E2E_EVENTS = num('BENCH_E2E_EVENTS', 40);
const E2E_RATE = num('BENCH_E2E_RATE', 4);
const E2E_LATENCY_MS = 100;
const POOL = num('BENCH_POOL', 20_000);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';
const PG_URL = process.env.BENCH_POSTGRES_URL || (/^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL : undefined);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'intake,backlog,drain,e2e,postgres').split(',').map((s) => s.trim()));
const WRITE_DOC = process.env.BENCH_NO_DOC !== '1';

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
const BARE = path.join(__dirname, 'bare-app.ts');
const HOST = path.join(__dirname, 'sandbox-host.ts');
const DOC = path.join(ROOT, 'BENCHMARKS.md');
const SECTION = '## Webhook intake under a burst';
/** The server's own schedules stay off: nothing but the webhooks and the worker runs. */
const NO_SCHEDULE = { consultSweep: '0 0 29 2 *', poll: '0 0 29 2 *', reconcile: '0 0 29 2 *' };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const out = (line = '') => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`[intake] ${line}\n`);

// ---- processes and cleanup

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

function killAll(signal: NodeJS.Signals): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid) {
      try {
        process.kill(c.pid, signal);
      } catch {
        // already gone
      }
    }
  }
}

function removeTemp(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

process.on('exit', () => {
  killAll('SIGKILL');
  removeTemp();
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    note(`${sig}: stopping the child processes`);
    killAll('SIGTERM');
    setTimeout(() => process.exit(130), 500).unref();
  });
}

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function spawnTsx(entry: string, args: string[], env: Record<string, string | undefined>, ipc = false, nice = 0): Proc {
  const node = [process.execPath, '--import', 'tsx', entry, ...args];
  // A niced process gets the CPU only when the others leave it some (a worker behind the door).
  const [command, ...rest] = nice > 0 ? ['nice', '-n', String(nice), ...node] : node;
  const child = spawn(command as string, rest, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let head = '';
  let tail = '';
  // Keep the start (the listening line, a startup error) and the end; the rest is drained unread.
  const keep = (c: Buffer) => {
    const s = c.toString();
    if (head.length < 16_000) head += s;
    else tail = (tail + s).slice(-16_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, output: () => (tail ? `${head}\n...\n${tail}` : head), exited };
}

async function stopProc(p: Proc, graceMs = 10_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Waits until GET url answers 200; fails early if the process exits. */
async function ready(p: Proc, url: string, what: string, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let exited = false;
  void p.exited.then(() => {
    exited = true;
  });
  while (Date.now() < until) {
    if (exited) throw new ProcessExited(`${what} exited before it was ready (code ${p.child.exitCode}):\n${p.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${what} was not ready after ${timeoutMs} ms:\n${p.output()}`);
}

class ProcessExited extends Error {}

// ---- the sandbox host (its own process, over IPC)

class SandboxHost {
  private nextId = 1;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly proc: Proc;

  constructor() {
    this.proc = spawnTsx(HOST, [], {}, true);
    this.proc.child.on('message', (raw) => {
      const m = raw as { id: number; ok: boolean; result?: unknown; error?: string };
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(`sandbox host: ${m.error}`));
    });
    void this.proc.exited.then((code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`the sandbox host exited (code ${code}):\n${this.proc.output()}`));
      this.waiting.clear();
    });
  }

  call<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.child.send({ id, op, ...args });
    });
  }

  async stop(): Promise<void> {
    this.proc.child.disconnect();
    await stopProc(this.proc, 5000);
  }
}

interface HostStart {
  env: Record<string, string>;
  urls: { freshdesk: string; zendesk: string; jira: string };
  issues: IssueRef[];
}

async function setLatency(urls: HostStart['urls'], vendors: Array<keyof HostStart['urls']>, latencyMs: number): Promise<void> {
  for (const v of vendors) {
    const res = await fetch(`${urls[v]}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs }) });
    if (!res.ok) throw new Error(`could not set latency on the ${v} sandbox: ${res.status}`);
    await res.arrayBuffer();
  }
}

// ---- servers

interface Serve extends Proc {
  url: string;
  db: string;
}

let tempRoot = '';
let serveSerial = 0;

function newDbPath(label: string): string {
  serveSerial += 1;
  return path.join(tempRoot, `${String(serveSerial).padStart(2, '0')}-${label}.db`);
}

async function startServe(
  sandboxEnv: Record<string, string>,
  databaseUrl: string,
  opts: { worker: boolean; label: string; role?: 'web' | 'worker' | 'all'; nice?: number },
): Promise<Serve> {
  const port = await freePort();
  const configFile = path.join(tempRoot, `config-${serveSerial}-${opts.worker ? 'worker' : 'noworker'}-${opts.role ?? 'all'}.yaml`);
  writeFileSync(configFile, stringifyYaml({ worker: { enabled: opts.worker }, schedules: NO_SCHEDULE }));
  const p = spawnTsx(MAIN, ['serve', '--role', opts.role ?? 'all'], {
    ...sandboxEnv,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    LOG_LEVEL,
    LOG_FORMAT: 'json',
    NODE_ENV: 'production',
    CONFIG_FILE: configFile,
  }, false, opts.nice ?? 0);
  const url = `http://127.0.0.1:${port}`;
  try {
    await ready(p, `${url}/readyz`, `helpdesk-sync serve (${opts.label})`);
  } catch (err) {
    await stopProc(p, 2000);
    throw err;
  }
  return { ...p, url, db: databaseUrl };
}

async function startBare(mode: 'express' | 'raw'): Promise<Proc & { url: string }> {
  const port = await freePort();
  const p = spawnTsx(BARE, [mode, String(port)], {});
  const url = `http://127.0.0.1:${port}`;
  await ready(p, `${url}/healthz`, `bare app (${mode})`);
  return { ...p, url };
}

async function counts(file: string): Promise<InboxCounts> {
  const store = new SqliteStore(file);
  try {
    return await store.inboxCounts();
  } finally {
    await store.close();
  }
}

// ---- autocannon rounds

type Shape = 'one' | 'spread';
const SHAPE_LABEL: Record<Shape, string> = { one: '(a) one issue', spread: `(b) ${SPREAD_ISSUES} issues` };

interface Round {
  target: string;
  shape: Shape;
  round: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  codes: string;
  wrapped: number;
  /** Requests sent, answered or not (the ones in flight at the end are not answered within the round). */
  sent: number;
  /** helpdesk-sync only: events stored by the measured round, and the inbox after it. */
  stored?: number;
  after?: InboxCounts;
  before?: InboxCounts;
}

async function blast(url: string, pool: readonly PrebuiltRequest[], seconds: number): Promise<{ result: autocannon.Result; wrapped: number }> {
  const rotation = new RequestRotation(pool);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/jira',
        setupRequest: (req) => {
          const r = rotation.next();
          return { ...req, method: 'POST', path: '/webhooks/jira', body: r.body, headers: r.headers };
        },
      },
    ],
  });
  return { result, wrapped: rotation.wrapped };
}

async function measure(target: string, shape: Shape, round: number, url: string, pool: readonly PrebuiltRequest[], sqliteFile?: string): Promise<Round> {
  const total = (c: InboxCounts) => c.pending + c.processing + c.done + c.dead;
  /** Requests still in flight when autocannon stops are answered (and stored) after it: wait for the count to settle. */
  const settled = async (file: string) => {
    let last = await counts(file);
    for (let i = 0; i < 50; i += 1) {
      await sleep(100);
      const c = await counts(file);
      if (total(c) === total(last)) return c;
      last = c;
    }
    return last;
  };
  if (WARMUP_SECONDS > 0) await blast(url, pool, WARMUP_SECONDS);
  const before = sqliteFile ? await settled(sqliteFile) : undefined;
  const { result: r, wrapped } = await blast(url, pool, SECONDS);
  const after = sqliteFile ? await settled(sqliteFile) : undefined;
  const codes = Object.entries(r.statusCodeStats ?? {})
    .map(([code, v]) => `${code}: ${v.count ?? 0}`)
    .join(', ');
  const row: Round = {
    target,
    shape,
    round,
    reqPerSec: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    codes,
    wrapped,
    sent: r.requests.sent,
    before,
    after,
    stored: before && after ? total(after) - total(before) : undefined,
  };
  note(`${target} ${SHAPE_LABEL[shape]} round ${round}: ${row.reqPerSec.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, 2xx ${row.ok2xx}, non-2xx ${row.non2xx}, errors ${row.errors}`);
  return row;
}

// ---- preloading an inbox without a worker

async function preload(file: string, fixture: JiraFixture, issues: readonly IssueRef[], count: number, what: string): Promise<number> {
  const store = new SqliteStore(file);
  const started = Date.now();
  try {
    // 500 at a time, so the store's grouped commits write them in a few transactions.
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < count; i += 1) {
      const issue = issues[i % issues.length] as IssueRef;
      const deliveryId = `preload-${what}-${i}`;
      if (pending.length >= 500) await Promise.all(pending.splice(0));
      pending.push(store.enqueue({
        vendor: 'jira',
        connectionId: 'default',
        entityKey: `issue:${issue.id}`,
        dedupeKey: `delivery:${deliveryId}`,
        dedupeWindowMs: null,
        eventType: 'jira:issue_updated',
        source: 'webhook',
        payload: jiraBodyFor(fixture, issue, started + i),
        headers: { 'x-atlassian-webhook-identifier': deliveryId, 'x-atlassian-webhook-retry': '0', 'x-atlassian-webhook-flow': 'Primary' },
        receivedAt: new Date(),
      }));
      if (i > 0 && i % 20_000 === 0) note(`${what}: ${i} of ${count} events stored (${((i * 1000) / (Date.now() - started)).toFixed(0)}/s)`);
    }
    await Promise.all(pending);
  } finally {
    await store.close();
  }
  return Date.now() - started;
}

// ---- formatting

const f0 = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 0 }) : 'n/a');
const f1 = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }) : 'n/a');
const ratio = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : 'n/a');
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
function percentile(xs: number[], p: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

function roundRows(rows: Round[]): string[] {
  const lines = [
    '| Target | Shape | Round | req/s | p50 ms | p99 ms | 2xx | non-2xx | errors / timeouts | Events stored | Inbox after (pending / done) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const stored = r.stored === undefined ? '' : f0(r.stored);
    const after = r.after ? `${f0(r.after.pending + r.after.processing)} / ${f0(r.after.done)}` : '';
    const non2xx = r.non2xx ? `${f0(r.non2xx)} (${r.codes})` : '0';
    lines.push(`| ${r.target} | ${SHAPE_LABEL[r.shape]} | ${r.round} | ${f0(r.reqPerSec)} | ${r.p50} | ${r.p99} | ${f0(r.ok2xx)} | ${non2xx} | ${r.errors} / ${r.timeouts} | ${stored} | ${after} |`);
  }
  return lines;
}

function ratioRows(rows: Round[], targets: string[]): string[] {
  const lines = ['| Server | Shape | req/s (mean) | × bare req/s (goal ≥ 0.8) | p99 ms (mean) | × bare p99 (goal ≤ 2) |', '|---|---|---|---|---|---|'];
  for (const shape of ['one', 'spread'] as const) {
    const bare = rows.filter((r) => r.target === 'bare express' && r.shape === shape);
    if (!bare.length) continue;
    const bRate = mean(bare.map((r) => r.reqPerSec));
    const bP99 = mean(bare.map((r) => r.p99));
    lines.push(`| bare express | ${SHAPE_LABEL[shape]} | ${f0(bRate)} | 1 | ${f1(bP99)} | 1 |`);
    for (const t of targets) {
      const mine = rows.filter((r) => r.target === t && r.shape === shape);
      if (!mine.length) continue;
      const rate = mean(mine.map((r) => r.reqPerSec));
      const p99 = mean(mine.map((r) => r.p99));
      const rr = rate / bRate;
      const pr = p99 / bP99;
      lines.push(`| ${t} | ${SHAPE_LABEL[shape]} | ${f0(rate)} | **${ratio(rr)}** ${rr >= 0.8 ? 'met' : 'not met'} | ${f1(p99)} | **${ratio(pr)}** ${pr <= 2 ? 'met' : 'not met'} |`);
    }
  }
  return lines;
}

// ---- the benchmark

async function main(): Promise<void> {
  const fixture = loadJiraFixture();
  tempRoot = mkdtempSync(path.join(os.tmpdir(), 'hs-bench-intake-'));
  tempDirs.push(tempRoot);
  const startedAt = new Date();
  const report: string[] = [];
  const add = (line = '') => {
    report.push(line);
    out(line);
  };

  const backlogIssues = BACKLOG > 0 && ONLY.has('backlog') ? Math.ceil(BACKLOG / BACKLOG_PER_ISSUE) : 0;
  const host = new SandboxHost();
  const started = await host.call<HostStart>('start', { issues: Math.max(SPREAD_ISSUES, DRAIN_ISSUES, 1) + backlogIssues });
  const env = started.env;
  const secret = env.JIRA_WEBHOOK_SECRET as string;
  const spreadIssues = started.issues.slice(0, Math.max(1, SPREAD_ISSUES));
  const oneIssue = started.issues.slice(0, 1);
  const backlogSet = started.issues.slice(Math.max(SPREAD_ISSUES, DRAIN_ISSUES, 1));
  const drainIssues = started.issues.slice(0, Math.max(1, DRAIN_ISSUES));

  const t0 = Date.now();
  const pools: Record<Shape, PrebuiltRequest[]> = {
    one: prebuildJiraRequests(fixture, oneIssue, POOL, secret),
    spread: prebuildJiraRequests(fixture, spreadIssues, POOL, secret),
  };
  note(`prebuilt and signed ${2 * POOL} requests (${(pools.one[0] as PrebuiltRequest).body.length} bytes each) in ${Date.now() - t0} ms`);

  const cpus = os.cpus();
  add(`Measured on ${startedAt.toISOString().slice(0, 10)}: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}.`);
  add(`Fixture: ${path.relative(ROOT, fixture.file)} (${(pools.one[0] as PrebuiltRequest).body.length} bytes). autocannon: ${CONNECTIONS} connections, ${SECONDS} s per round after ${WARMUP_SECONDS} s of warm-up, ${ROUNDS} round(s) each, alternating.`);
  add();

  const rows: Round[] = [];
  const bare = await startBare('express');

  // ---- 1. intake, no backlog
  if (ONLY.has('intake')) {
    const raw = await startBare('raw');
    for (const shape of ['one', 'spread'] as const) {
      rows.push(await measure('raw node:http (harness ceiling)', shape, 1, raw.url, pools[shape]));
      for (let round = 1; round <= ROUNDS; round += 1) {
        rows.push(await measure('bare express', shape, round, bare.url, pools[shape]));
        const db = newDbPath(`intake-${shape}-${round}`);
        const serve = await startServe(env, db, { worker: true, label: `intake ${shape} ${round}` });
        try {
          rows.push(await measure('helpdesk-sync', shape, round, serve.url, pools[shape], db));
        } finally {
          await stopProc(serve);
        }
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
        // The same, as two processes on one database: the door (--role web) and a worker
        // (--role worker) at nice 10, so the door gets the CPU first.
        const split = newDbPath(`intake-split-${shape}-${round}`);
        const web = await startServe(env, split, { worker: true, role: 'web', label: `intake web ${shape} ${round}` });
        const worker = await startServe(env, split, { worker: true, role: 'worker', nice: 10, label: `intake worker ${shape} ${round}` });
        try {
          rows.push(await measure('helpdesk-sync web + worker (nice 10)', shape, round, web.url, pools[shape], split));
        } finally {
          await stopProc(worker);
          await stopProc(web);
        }
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${split}${suffix}`, { force: true });
      }
    }
    await stopProc(raw);
    await host.call('resetCalls');
  }

  // ---- 1b. intake with a backlog waiting
  let backlogNote = '';
  if (BACKLOG > 0 && ONLY.has('backlog')) {
    const template = newDbPath('backlog-template');
    note(`storing a backlog of ${BACKLOG} events (no worker running)...`);
    const ms = await preload(template, fixture, backlogSet, BACKLOG, 'backlog');
    backlogNote = `The backlog: ${f0(BACKLOG)} pending \`jira:issue_updated\` events over ${f0(backlogSet.length)} issues (${BACKLOG_PER_ISSUE} each, all in the Jira sandbox), stored through \`SqliteStore.enqueue\` in ${f1(ms / 1000)} s before serve started; each round starts from a copy of it.`;
    for (const shape of ['one', 'spread'] as const) {
      for (let round = 1; round <= ROUNDS; round += 1) {
        rows.push(await measure('bare express', shape, round, bare.url, pools[shape]));
        const db = newDbPath(`backlog-${shape}-${round}`);
        copyFileSync(template, db);
        const serve = await startServe(env, db, { worker: true, label: `backlog ${shape} ${round}` });
        try {
          rows.push(await measure(`helpdesk-sync + ${f0(BACKLOG)} backlog`, shape, round, serve.url, pools[shape], db));
        } finally {
          await stopProc(serve);
        }
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
      }
    }
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${template}${suffix}`, { force: true });
    await host.call('resetCalls');
  }

  // ---- 4. PostgreSQL, when one is given
  let pgNote = '';
  if (PG_URL && ONLY.has('postgres')) {
    try {
      for (const shape of ['one', 'spread'] as const) {
        for (let round = 1; round <= ROUNDS; round += 1) {
          const serve = await startServe(env, PG_URL, { worker: true, label: `postgres ${shape} ${round}` });
          const bareRow = await measure('bare express', shape, round, bare.url, pools[shape]);
          try {
            rows.push(bareRow, await measure('helpdesk-sync (PostgreSQL)', shape, round, serve.url, pools[shape]));
          } finally {
            await stopProc(serve);
          }
        }
      }
      pgNote = 'PostgreSQL: measured against the DATABASE_URL given (its tables are not emptied between rounds).';
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      const lines = text.split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
      const said = lines.find((l) => /postgres/i.test(l)) ?? [...lines].reverse().find((l) => /error|fail|refus/i.test(l));
      pgNote = err instanceof ProcessExited && /not available/i.test(text)
        ? 'PostgreSQL: not available in this build'
        : `PostgreSQL: could not be measured: ${(text.split('\n')[0] ?? '').slice(0, 300)}`;
      out(pgNote);
      if (said) pgNote += ` (serve said: ${said.slice(0, 300)})`;
    }
  } else if (ONLY.has('postgres')) {
    pgNote = 'PostgreSQL: not measured (set BENCH_POSTGRES_URL, or a postgres:// DATABASE_URL).';
  }

  await stopProc(bare);

  if (rows.length) {
    add('### Intake throughput, every round');
    add();
    roundRows(rows).forEach((l) => add(l));
    add();
    add('### helpdesk-sync against the bare app (means of the rounds)');
    add();
    const targets = [...new Set(rows.map((r) => r.target))].filter((t) => t !== 'bare express' && !t.startsWith('raw'));
    ratioRows(rows, targets).forEach((l) => add(l));
    add();
    const ceiling = rows.filter((r) => r.target.startsWith('raw'));
    const bareRows = rows.filter((r) => r.target === 'bare express');
    if (ceiling.length && bareRows.length) {
      const c = mean(ceiling.map((r) => r.reqPerSec));
      const b = mean(bareRows.map((r) => r.reqPerSec));
      add(`Harness check: autocannon drove a raw node:http server that reads and drops the body at ${f0(c)} req/s, ${ratio(c / b)} times the bare express rate, so the bare figure is the app's, not the load generator's${c / b < 1.2 ? ' (WARNING: within 20%, the load generator may be the limit)' : ''}.`);
    }
    const wrapped = Math.max(...rows.map((r) => r.wrapped));
    if (wrapped > 0) add(`Bodies: ${f0(POOL)} distinct prebuilt bodies per shape; in the fastest rounds ${f0(wrapped)} requests reused a body, each with a fresh delivery id (no request was a redelivery).`);
    // Stored = 2xx answered in the round + requests still in flight when it ended (at most one per connection).
    const accepted = rows.filter((r) => r.stored !== undefined);
    const bad = accepted.filter((r) => (r.stored as number) < r.ok2xx || (r.stored as number) > r.ok2xx + (r.sent - r.ok2xx - r.non2xx));
    if (accepted.length) {
      add(bad.length
        ? `PROBLEM: in ${bad.length} round(s) the events stored do not match the answers (${bad.map((r) => `${r.target} ${r.shape} ${r.round}: ${r.stored} stored, ${r.ok2xx} 2xx, ${r.sent} sent`).join('; ')}).`
        : `Every 2xx answer of helpdesk-sync was an event stored in its inbox, counted in the SQLite file before and after each round; the few more stored (${accepted.map((r) => (r.stored as number) - r.ok2xx).join(', ')}) are the requests still in flight when autocannon stopped, answered after it.`);
      if (bad.length) process.exitCode = 1;
    }
    const bl = rows.filter((r) => r.target.includes('backlog') && r.after);
    if (bl.length) {
      add(backlogNote);
      add(`Inbox still pending at the end of each backlog round (the backlog plus the round's own events): ${bl.map((r) => `${SHAPE_LABEL[r.shape]} round ${r.round}: ${f0((r.after as InboxCounts).pending)}`).join('; ')}.`);
      for (const shape of ['one', 'spread'] as const) {
        const plain = rows.filter((r) => r.target === 'helpdesk-sync' && r.shape === shape);
        const withBl = bl.filter((r) => r.shape === shape);
        if (plain.length && withBl.length) add(`${SHAPE_LABEL[shape]}: with the backlog waiting, helpdesk-sync ran at ${ratio(mean(withBl.map((r) => r.reqPerSec)) / mean(plain.map((r) => r.reqPerSec)))} times its rate without one (flat = 1).`);
      }
    }
    add();
  }
  if (pgNote) {
    add(pgNote);
    add();
  }

  // ---- 2. worker drain rate
  if (DRAIN_EVENTS > 0 && ONLY.has('drain')) {
    const db = newDbPath('drain');
    const ms = await preload(db, fixture, drainIssues, DRAIN_EVENTS, 'drain');
    await setLatency(started.urls, ['jira'], DRAIN_LATENCY_MS);
    await host.call('resetCalls');
    const spawnedAt = Date.now();
    const serve = await startServe(env, db, { worker: true, label: 'drain' });
    const readyAt = Date.now();
    let c = await counts(db);
    const store = new SqliteStore(db);
    let emptyAt = 0;
    const deadline = Date.now() + 600_000;
    try {
      while (Date.now() < deadline) {
        c = await store.inboxCounts();
        if (c.pending === 0 && c.processing === 0) {
          emptyAt = Date.now();
          break;
        }
        await sleep(20);
      }
      const events = await store.listEvents({ vendor: 'jira', limit: DRAIN_EVENTS * 2 });
      const processed = events.map((e) => e.processedAt?.getTime() ?? 0).filter((t) => t > 0);
      const first = Math.min(...processed);
      const last = Math.max(...processed);
      const calls = await host.call<{ total: number; byEndpoint: Record<string, number> }>('calls', { vendor: 'jira', since: spawnedAt });
      const fetches = Object.entries(calls.byEndpoint).filter(([k]) => k.startsWith('GET /rest/api/3/issue/:')).reduce((a, [, n]) => a + n, 0);
      add(`### Worker drain rate (${f0(DRAIN_EVENTS)} events over ${f0(drainIssues.length)} issues, Jira answering in ${DRAIN_LATENCY_MS} ms)`);
      add();
      add('| Events | Issues | Stored in (no worker) | Wall, serve ready to inbox empty | Events per second | First to last processed_at | Jira calls (issue fetches) | Done / dead |');
      add('|---|---|---|---|---|---|---|---|');
      const wall = emptyAt ? emptyAt - readyAt : Number.NaN;
      add(`| ${f0(DRAIN_EVENTS)} | ${f0(drainIssues.length)} | ${f1(ms / 1000)} s | ${emptyAt ? `${f1(wall / 1000)} s` : 'did not empty in 600 s'} | **${emptyAt ? f0((DRAIN_EVENTS * 1000) / wall) : 'n/a'}** | ${f1((last - first) / 1000)} s | ${f0(calls.total)} (${f0(fetches)}) | ${f0(c.done)} / ${f0(c.dead)} |`);
      add();
      add(`The worker fetches an issue once and folds that issue's events that arrived before the fetch into it (coalescing), so ${f0(DRAIN_EVENTS)} events cost ${f0(fetches)} issue fetches; the sandbox's call log counts them. Calls by endpoint: ${Object.entries(calls.byEndpoint).map(([k, n]) => `${n} ${k}`).join('; ')}.`);
      add();
    } finally {
      await store.close();
      await stopProc(serve);
      await setLatency(started.urls, ['jira'], 0);
    }
  }

  // ---- 3. end to end: webhook sent to Jira write
  if (E2E_EVENTS > 0 && ONLY.has('e2e')) {
    const db = newDbPath('e2e');
    const serve = await startServe(env, db, { worker: true, label: 'e2e' });
    try {
      const tickets = await host.call<Array<{ ticketId: number; body: string }>>('zendeskRaiseTickets', { count: E2E_EVENTS + 1, marker: 'q' });
      await setLatency(started.urls, ['freshdesk', 'zendesk', 'jira'], E2E_LATENCY_MS);
      await host.call('resetCalls');
      const send = async (t: { ticketId: number; body: string }, n: number) => {
        const headers = zendeskHeaders(env.ZENDESK_WEBHOOK_SECRET as string, t.body, `bench-e2e-${process.pid}-${n}`, ZENDESK_WEBHOOK_ID, ZENDESK_ACCOUNT_ID);
        const sentAt = Date.now();
        const res = await fetch(`${serve.url}/webhooks/zendesk`, { method: 'POST', headers, body: t.body });
        await res.arrayBuffer();
        return { ticketId: t.ticketId, sentAt, answeredAt: Date.now(), status: res.status };
      };
      const raised = async () => {
        const issues = await host.call<Array<{ summary: string; createdMs: number }>>('raisedIssues');
        const byTicket = new Map<number, number>();
        for (const i of issues) {
          const m = /\(ZD#(\d+)\)$/.exec(i.summary);
          if (m) byTicket.set(Number(m[1]), i.createdMs);
        }
        return byTicket;
      };
      const waitFor = async (ids: number[], timeoutMs: number) => {
        const until = Date.now() + timeoutMs;
        for (;;) {
          const m = await raised();
          if (ids.every((id) => m.has(id)) || Date.now() > until) return m;
          await sleep(50);
        }
      };
      // One raise first, not counted: it warms per-process caches (group names, connections).
      const [warm, ...measured] = tickets as [{ ticketId: number; body: string }, ...Array<{ ticketId: number; body: string }>];
      await send(warm, 0);
      await waitFor([warm.ticketId], 30_000);
      const interval = 1000 / Math.max(E2E_RATE, 0.001);
      const startAt = Date.now() + 50;
      const sends = measured.map(async (t, i) => {
        await sleep(Math.max(0, startAt + i * interval - Date.now()));
        return send(t, i + 1);
      });
      const sent = await Promise.all(sends);
      const writes = await waitFor(measured.map((t) => t.ticketId), 60_000 + E2E_EVENTS * 2000);
      const arrival: number[] = [];
      const applied: number[] = [];
      let missing = 0;
      for (const s of sent) {
        const at = writes.get(s.ticketId);
        if (at === undefined) {
          missing += 1;
          continue;
        }
        applied.push(at - s.sentAt);
        // The sandbox sleeps its latency before it runs the handler that stamps `created`.
        arrival.push(at - E2E_LATENCY_MS - s.sentAt);
      }
      const answer = sent.map((s) => s.answeredAt - s.sentAt);
      const refused = sent.filter((s) => s.status !== 202).length;
      const spanS = (Math.max(...sent.map((s) => s.sentAt)) - Math.min(...sent.map((s) => s.sentAt))) / 1000;
      add(`### End to end: webhook sent to Jira write (${f0(measured.length)} Zendesk tickets raised, ${f1(E2E_RATE)} webhooks a second, every sandbox answering in ${E2E_LATENCY_MS} ms)`);
      add();
      add('| Measured | p50 ms | p95 ms | max ms | Goal |');
      add('|---|---|---|---|---|');
      add(`| webhook sent to the create call reaching Jira (\`POST /rest/api/3/issue\`) | ${f0(percentile(arrival, 50))} | **${f0(percentile(arrival, 95))}** | ${f0(Math.max(...arrival))} | p95 < 1000: ${percentile(arrival, 95) < 1000 ? 'met' : 'not met'} |`);
      add(`| webhook sent to the issue existing in Jira (create applied) | ${f0(percentile(applied, 50))} | ${f0(percentile(applied, 95))} | ${f0(Math.max(...applied))} | |`);
      add(`| webhook answered (202) | ${f0(percentile(answer, 50))} | ${f0(percentile(answer, 95))} | ${f0(Math.max(...answer))} | |`);
      add();
      if (refused || missing) process.exitCode = 1;
      add(`Sent over ${f1(spanS)} s; ${refused} answered other than 202; ${missing} raised no issue within the wait. The write's time is the \`created\` stamp the Jira sandbox puts on the issue when its create handler runs, which is after the sandbox's ${E2E_LATENCY_MS} ms delay: "reaching Jira" subtracts that delay. The raise reads the ticket and its comments first (2 calls of ${E2E_LATENCY_MS} ms), so about ${2 * E2E_LATENCY_MS} ms of each figure is the vendors' own latency.`);
      add();
    } finally {
      await stopProc(serve);
      await setLatency(started.urls, ['freshdesk', 'zendesk', 'jira'], 0);
    }
  }

  await host.stop();

  const knobs = `BENCH_INTAKE_SECONDS=${SECONDS} BENCH_CONNECTIONS=${CONNECTIONS} BENCH_ROUNDS=${ROUNDS} BENCH_WARMUP_SECONDS=${WARMUP_SECONDS} BENCH_ISSUES=${SPREAD_ISSUES} BENCH_BACKLOG=${BACKLOG} BENCH_DRAIN_EVENTS=${DRAIN_EVENTS} BENCH_DRAIN_ISSUES=${DRAIN_ISSUES} BENCH_E2E_EVENTS=${E2E_EVENTS} BENCH_E2E_RATE=${E2E_RATE} BENCH_POOL=${POOL}`;
  add(`This run: \`${knobs} npx tsx bench/intake.ts\` (${f1((Date.now() - startedAt.getTime()) / 1000)} s).`);
  if (WRITE_DOC) writeSection(report);
}

function writeSection(report: string[]): void {
  const intro = [
    SECTION,
    '',
    'Goals: under a burst of signed Jira webhooks, helpdesk-sync accepts at least 0.8 times',
    'the requests per second of a bare express app that only parses the JSON body and answers 202, with',
    'a p99 latency at most 2 times the bare app\'s; the rate stays flat while a large backlog waits in',
    'the inbox; a webhook that causes a Jira write has it reach Jira within 1 s at p95.',
    '',
    '`npm run bench:intake` runs `bench/intake.ts`; `npm run bench` runs it last. Every figure below',
    'comes from one run, which rewrites this section. The processes:',
    '- the load generator (autocannon) is the benchmark process and does nothing else while it measures;',
    '- the bare app (`bench/bare-app.ts`) and each helpdesk-sync (`tsx src/cli/main.ts serve`, worker on,',
    '  a fresh SQLite file per round, `LOG_LEVEL=warn`, no scheduled jobs) run in processes of their own;',
    '- the vendor sandboxes run in a process of their own too (`bench/sandbox-host.ts`), answering the',
    '  worker\'s calls; the webhooks are about issues that exist there.',
    '',
    'The requests are the Jira `jira:issue_updated` fixture (a reopened issue), prebuilt and signed',
    'before the run as Jira signs (`X-Hub-Signature: sha256=<HMAC of the body>`), each with its own',
    '`timestamp` and a fresh `X-Atlassian-Webhook-Identifier` (`bench/signed-bodies.ts`). Shape (a)',
    `has every request about one issue; shape (b) rewrites \`issue.id\` and \`issue.key\` over ${SPREAD_ISSUES} issues.`,
    'Rounds alternate bare and helpdesk-sync so machine noise hits both; a raw `node:http` server that',
    'drops the body shows the load generator\'s own ceiling. On a 2-core machine the load generator,',
    'the server under test and (for helpdesk-sync) the sandboxes its worker calls share the cores, so',
    'single rounds are noisy: compare the means, and the ratios, rather than one round.',
    '',
  ];
  const reproduce = [
    '',
    'Reproduce with `npm run bench:intake`. Environment variables:',
    '- `BENCH_INTAKE_SECONDS` (default 8) and `BENCH_WARMUP_SECONDS` (4) per round; `BENCH_ROUNDS` (2);',
    '- `BENCH_CONNECTIONS` (20); `BENCH_ISSUES` (500) for shape (b); `BENCH_POOL` (20000) prebuilt bodies per shape;',
    '- `BENCH_BACKLOG` (100000; 0 skips the backlog rounds);',
    '- `BENCH_DRAIN_EVENTS` (2000) and `BENCH_DRAIN_ISSUES` (200);',
    '- `BENCH_E2E_EVENTS` (40) and `BENCH_E2E_RATE` (4 a second);',
    '- `BENCH_POSTGRES_URL`, or a `postgres://` `DATABASE_URL`: the intake rounds against that store too;',
    '- `BENCH_ONLY` (a list of intake, backlog, drain, e2e, postgres); `BENCH_NO_DOC=1` leaves this file alone;',
    '  `BENCH_LOG_LEVEL` (warn) for the servers.',
    '',
    'A quick run: `BENCH_INTAKE_SECONDS=3 BENCH_BACKLOG=2000 npm run bench:intake`.',
    '',
  ];
  const section = [...intro, ...report, ...reproduce].join('\n');
  writeDocSection(DOC, SECTION, section);
  note(`wrote the section "${SECTION.slice(3)}" of BENCHMARKS.md`);
}

main().then(
  () => {
    killAll('SIGTERM');
    removeTemp();
    process.exit(process.exitCode ?? 0);
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    killAll('SIGTERM');
    process.exit(1);
  },
);
