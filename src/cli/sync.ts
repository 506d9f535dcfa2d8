import { InvalidArgumentError, type Command } from 'commander';
import type { LoadedConfig } from '../config/load';
import { VENDORS, type Vendor } from '../domain/ticket';
import { createLogger, type Logger } from '../logging/logger';
import type { QueueResult } from 'pg-boss';
import { DEAD_QUEUE, INBOX_QUEUE, type PgBossJobs } from '../sync/engine/pg-boss-jobs';
import { openCliStore } from './job-store';
import type { CircuitRecord, CursorRow, JobRun, Store } from '../store/types';
import { VendorClients } from '../sync/clients';
import { describeCursor, formatDuration } from '../sync/jobs/decide';
import { createProgress } from '../sync/jobs/progress';
import { runJob, type JobResult } from '../sync/jobs/run-job';
import { JOB_NAMES, type JobName, type JobSummary } from '../sync/jobs/types';

/**
 * `helpdesk-sync sync run --job poll|reconcile|backfill` and `sync status`. The CLI opens the
 * same store and builds the same vendor clients as the server, with the same configuration; it
 * only queues events: a running server's worker processes them.
 */

type Print = (line?: string) => void;

export interface SyncCommandDeps {
  load: () => LoadedConfig;
  print: Print;
}

interface RunOptions {
  job: JobName;
  once?: boolean;
  wait?: boolean;
  since?: Date;
  vendor?: Vendor;
  connection?: string;
  restart?: boolean;
}

function jobOption(value: string): JobName {
  if (!(JOB_NAMES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${JOB_NAMES.join(', ')}`);
  return value as JobName;
}

function vendorOption(value: string): Vendor {
  if (!(VENDORS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${VENDORS.join(', ')}`);
  return value as Vendor;
}

/** 2026-01-01 (midnight UTC) or a full ISO 8601 instant. */
export function sinceOption(value: string): Date {
  const text = value.trim();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const at = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at)) throw new InvalidArgumentError('expected a date such as 2026-01-01 or 2026-01-01T08:00:00Z');
  if (at > Date.now()) throw new InvalidArgumentError('expected a date in the past');
  return new Date(at);
}

function summaryText(s: JobSummary): string {
  const extra = Object.entries(s)
    .filter(([k]) => !['seen', 'changed', 'enqueued', 'errors'].includes(k))
    .map(([k, v]) => `, ${k} ${v}`)
    .join('');
  return `seen ${s.seen}, changed ${s.changed}, enqueued ${s.enqueued}, errors ${s.errors}${extra}`;
}

/** What a person reads at the end of `sync run`. */
export function resultLines(result: JobResult): string[] {
  if (result.outcome === 'skipped') {
    return [`${result.job} skipped: ${result.error ?? 'another run holds its lock'}; nothing done (--wait waits for it instead).`];
  }
  const lines = [`${result.job} ${result.outcome === 'ok' ? 'ok' : 'FAILED'} in ${formatDuration(result.durationMs)}: ${summaryText(result.summary)}`];
  for (const c of result.connections) {
    const what = `${c.pages} page${c.pages === 1 ? '' : 's'}, ${c.seen} seen, ${c.changed} changed, ${c.enqueued} enqueued`;
    lines.push(`  ${c.vendor}/${c.connectionId}: ${what}${c.error ? `; failed: ${c.error}` : ''}`);
  }
  for (const n of result.notes) lines.push(`  note: ${n}`);
  if (result.error && result.connections.length === 0) lines.push(`  error: ${result.error}`);
  if (result.outcome === 'ok' && result.summary.enqueued > 0) lines.push('A running server processes the queued events now.');
  return lines;
}

/** The CLI's logger: on stderr (stdout is for what a person or a script reads), warnings and up unless asked. */
export function cliLogger(loaded: LoadedConfig): Logger {
  // Progress and the summary are on stdout; logs go to stderr, and below warn only when asked.
  const level = loaded.config.log.level;
  const quietLevel = ['silent', 'error', 'warn', 'debug', 'verbose', 'http'].includes(level) ? level : 'warn';
  return createLogger({ level: quietLevel, format: loaded.config.log.format, stream: process.stderr });
}

async function run(deps: SyncCommandDeps, opts: RunOptions): Promise<void> {
  if (opts.job !== 'backfill' && (opts.since || opts.restart)) throw new InvalidArgumentError('--since and --restart are for --job backfill');
  if (opts.restart && !opts.since) throw new InvalidArgumentError('--restart needs --since: where the backfill starts again');
  const loaded = deps.load();
  const logger = cliLogger(loaded);
  // On PostgreSQL the events it queues get their pg-boss jobs (a running server's workers take only jobs).
  const { store, close } = await openCliStore(loaded, logger);
  const clients = new VendorClients(loaded.connections, loaded.config, logger);
  const stop = new AbortController();
  const onSignal = () => stop.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let result: JobResult;
  try {
    result = await runJob(
      { loaded, store, clients, logger, progress: createProgress(process.stdout) },
      { job: opts.job, wait: opts.wait, since: opts.since, restart: opts.restart, vendor: opts.vendor, connectionId: opts.connection, signal: stop.signal },
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await close();
  }
  resultLines(result).forEach((l) => deps.print(l));
  process.exit(result.outcome === 'failed' ? 1 : 0);
}

/** `sync status`: each job's last run and each cursor's lag. */
export function statusLines(runs: readonly JobRun[], cursors: readonly CursorRow[], now: Date): string[] {
  return [...jobLines(runs, now), ...cursorLines(cursors, now)];
}

/** Each job's last run (`sync status`, `status`). */
export function jobLines(runs: readonly JobRun[], now: Date): string[] {
  const lines = ['Jobs (last run of each):'];
  const byJob = new Map(runs.map((r) => [r.job, r]));
  for (const job of [...JOB_NAMES, ...runs.map((r) => r.job).filter((j) => !(JOB_NAMES as readonly string[]).includes(j))]) {
    const r = byJob.get(job);
    if (!r) {
      lines.push(`  ${job.padEnd(10)} never run`);
      continue;
    }
    const took = r.finishedAt ? `took ${formatDuration(r.finishedAt.getTime() - r.startedAt.getTime())}` : `running for ${formatDuration(now.getTime() - r.startedAt.getTime())}`;
    const ago = formatDuration(now.getTime() - r.startedAt.getTime());
    const summary = r.outcome === 'skipped' || r.outcome === 'running' ? '' : `, ${summaryText({ seen: 0, changed: 0, enqueued: 0, errors: 0, ...r.summary })}`;
    lines.push(`  ${job.padEnd(10)} ${r.outcome.padEnd(8)} started ${r.startedAt.toISOString()} (${ago} ago), ${took}${summary}`);
    if (r.error) lines.push(`  ${''.padEnd(10)} ${r.outcome === 'skipped' ? 'reason' : 'error'}: ${r.error}`);
  }
  return lines;
}

/** Each cursor's lag (`sync status`). */
export function cursorLines(cursors: readonly CursorRow[], now: Date): string[] {
  const lines = ['Cursors:'];
  if (!cursors.length) lines.push('  none yet (a connection gets one on its first poll or backfill)');
  for (const row of cursors) {
    const v = describeCursor(row, now);
    const lag = `lag ${formatDuration(v.lagMs)}`;
    const detail =
      v.kind === 'poll'
        ? `last reached the end ${formatDuration(now.getTime() - v.savedAt.getTime())} ago${v.position ? `, reads on from ${v.position}` : ''}`
        : v.kind === 'backfill'
          ? `${v.complete ? 'complete' : 'in progress'}${v.position ? `, at ${v.position}` : ''}`
          : `saved ${v.savedAt.toISOString()}`;
    lines.push(`  ${row.name.padEnd(32)} ${lag.padEnd(16)} ${detail}`);
  }
  return lines;
}

/** A circuit row not rewritten for this long belongs to a process that is probably gone (probes rewrite it each minute at most). */
const STALE_CIRCUIT_MS = 5 * 60_000;

/** `sync status`: vendor connections whose circuit is open in some process, and why. */
export function circuitLines(records: readonly CircuitRecord[], now: Date): string[] {
  if (!records.length) return ['Vendor connections: every circuit closed (no connection paused)'];
  const lines = [`Vendor connections paused (${records.length} open circuit(s); their events wait without spending attempts):`];
  for (const r of records) {
    const since = r.openedAt ? `since ${r.openedAt.toISOString()} (${formatDuration(now.getTime() - r.openedAt.getTime())})` : '';
    const probe = r.probeAt ? (r.probeAt.getTime() > now.getTime() ? `next probe in ${formatDuration(r.probeAt.getTime() - now.getTime())}` : 'probe due') : '';
    const stale = now.getTime() - r.updatedAt.getTime() > STALE_CIRCUIT_MS ? `; not updated for ${formatDuration(now.getTime() - r.updatedAt.getTime())}, its process may have stopped` : '';
    lines.push(`  ${`${r.vendor}/${r.connectionId}`.padEnd(24)} ${r.state} (${r.reason ?? 'outage'}) ${[since, `${r.failures} failure(s)`, probe].filter(Boolean).join(', ')}, in ${r.holder}${stale}`);
    if (r.lastError) lines.push(`  ${''.padEnd(24)} last error: ${r.lastError}`);
  }
  return lines;
}

/** `sync status` on PostgreSQL: pg-boss's inbox queue and the ticket keys it holds back. */
export function jobQueueLines(status: JobQueueStatus): string[] {
  const lines = [`Job queue (pg-boss, schema ${status.schema}):`];
  const q = status.inbox;
  if (!q) lines.push(`  ${INBOX_QUEUE}: not created yet`);
  else {
    lines.push(
      `  ${INBOX_QUEUE} (${q.policy ?? 'standard'}): ${q.readyCount} ready, ${q.deferredCount} waiting to retry or start, ${q.activeCount} active, ${q.failedCount} failed, ${q.totalCount} stored`,
    );
  }
  lines.push(`  ${DEAD_QUEUE}: ${status.dead ? `${status.dead.queuedCount} dead event(s) not replayed` : 'not created yet'}`);
  if (!status.blockedKeys.length) lines.push('  Blocked keys: none (no ticket is held back by a failed job)');
  else {
    lines.push(`  Blocked keys (${status.blockedKeys.length}; a failed job holds each ticket's later events):`);
    for (const k of status.blockedKeys.slice(0, 50)) lines.push(`    ${k}`);
    if (status.blockedKeys.length > 50) lines.push(`    ... and ${status.blockedKeys.length - 50} more`);
  }
  return lines;
}

export interface JobQueueStatus {
  schema: string;
  inbox: QueueResult | null;
  dead: QueueResult | null;
  blockedKeys: string[];
}

/** What `sync status` reads (and `status` shows part of): runs, cursors, open circuits, pg-boss's queues. */
export interface SyncStatus {
  runs: JobRun[];
  cursors: CursorRow[];
  circuits: CircuitRecord[];
  queue: JobQueueStatus | null;
}

export async function readSyncStatus(store: Store, jobs: PgBossJobs | null): Promise<SyncStatus> {
  const [runs, cursors, circuits] = [await store.lastJobRuns(), await store.listCursors(), await store.listCircuits()];
  const queue: JobQueueStatus | null = jobs ? { schema: jobs.schema, ...(await jobs.inboxStatus()) } : null;
  return { runs, cursors, circuits, queue };
}

/** pg-boss's queues as `--json` prints them. */
export function queueJson(queue: JobQueueStatus) {
  return {
    schema: queue.schema,
    inbox: queue.inbox && pickCounts(queue.inbox),
    dead: queue.dead && pickCounts(queue.dead),
    blockedKeys: queue.blockedKeys,
  };
}

/** `sync status --json`. */
export function syncStatusJson(s: SyncStatus, now: Date) {
  return { jobs: s.runs, cursors: s.cursors.map((c) => ({ ...describeCursor(c, now), value: c.value })), circuits: s.circuits, ...(s.queue ? { queue: queueJson(s.queue) } : {}) };
}

async function status(deps: SyncCommandDeps, opts: { json?: boolean }): Promise<void> {
  const loaded = deps.load();
  const { store, jobs, close } = await openCliStore(loaded, cliLogger(loaded));
  try {
    const now = new Date();
    const s = await readSyncStatus(store, jobs);
    if (opts.json) {
      deps.print(JSON.stringify(syncStatusJson(s, now), null, 2));
      return;
    }
    statusLines(s.runs, s.cursors, now).forEach((l) => deps.print(l));
    circuitLines(s.circuits, now).forEach((l) => deps.print(l));
    if (s.queue) jobQueueLines(s.queue).forEach((l) => deps.print(l));
  } finally {
    await close();
  }
}

function pickCounts(q: QueueResult) {
  const { name, policy, readyCount, deferredCount, queuedCount, activeCount, failedCount, totalCount } = q;
  return { name, policy, readyCount, deferredCount, queuedCount, activeCount, failedCount, totalCount };
}

export function registerSyncCommand(program: Command, deps: SyncCommandDeps): void {
  const sync = program.command('sync').description('the scheduled sync jobs (M6): run one now, or show their state');
  sync
    .command('run')
    .description('run one sync job now, with the server\'s configuration, and exit (status 1 if it failed)')
    .requiredOption('--job <job>', `one of ${JOB_NAMES.join(', ')}`, jobOption)
    .option('--once', 'run once and exit (what `sync run` always does; the server keeps the schedule)')
    .option('--wait', 'wait for the job\'s lock when another run holds it, instead of skipping')
    .option('--since <date>', 'backfill: where history starts (required the first time; later runs resume from the cursor)', sinceOption)
    .option('--restart', 'backfill: ignore the saved cursor and start again from --since')
    .option('--vendor <vendor>', 'only this vendor\'s connections', vendorOption)
    .option('--connection <id>', 'only this connection')
    .action((opts: RunOptions) => run(deps, opts));
  sync
    .command('status')
    .description('each job\'s last run (duration, outcome, counts) and each cursor\'s lag')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => status(deps, opts));
}
