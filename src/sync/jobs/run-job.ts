import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadedConfig } from '../../config/load';
import type { Logger } from '../../logging/logger';
import type { MetricsRecorder } from '../../metrics/registry';
import type { JobRun, Store } from '../../store/types';
import type { VendorClients } from '../clients';
import { backfill } from './backfill';
import { poll } from './poll';
import { silentProgress, type JobProgress } from './progress';
import { reconcile } from './reconcile';
import { slaJob } from './sla';
import { emptySummary, type BackfillRequest, type ConnectionSummary, type JobContext, type JobName, type JobOutput, type JobSummary } from './types';
import { errorText } from './walk';

export interface JobDeps {
  loaded: LoadedConfig;
  store: Store;
  clients: VendorClients;
  logger: Logger;
  now?: () => Date;
  progress?: JobProgress;
  /** Called whenever a page put events into the inbox (the server wakes its worker). */
  onEnqueued?: () => void;
  /** Counts runs by job and outcome, with their durations. */
  metrics?: MetricsRecorder;
}

export interface JobRequest extends BackfillRequest {
  job: JobName;
  /** Wait for the lock instead of skipping when another run holds it. */
  wait?: boolean;
  /** Stops the run between pages (the server is stopping, Ctrl-C). */
  signal?: AbortSignal;
  /** Who holds the lock; one is made up (`host:pid:random`) when not given. */
  holder?: string;
}

export interface JobResult {
  job: JobName;
  runId: number | null;
  outcome: Exclude<JobRun['outcome'], 'running'>;
  summary: JobSummary;
  connections: ConnectionSummary[];
  notes: string[];
  error: string | null;
  startedAt: Date;
  durationMs: number;
}

export const lockName = (job: JobName): string => `job:${job}`;

export const newHolder = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** How often a held lock is renewed: a third of its life, so two renewals can fail before it lapses. */
export function renewEveryMs(ttlMs: number): number {
  return Math.max(200, Math.floor(ttlMs / 3));
}

export class LockLostError extends Error {
  constructor(job: JobName) {
    super(`the ${lockName(job)} lock was lost (expired and taken by another run); stopped between pages`);
    this.name = 'LockLostError';
  }
}

function runBody(ctx: JobContext, request: JobRequest): Promise<JobOutput> {
  switch (request.job) {
    case 'poll':
      return poll(ctx, request);
    case 'reconcile':
      return reconcile(ctx, request);
    case 'backfill':
      return backfill(ctx, request);
    case 'sla':
      return slaJob(ctx, request);
  }
}

export function totalsOf(connections: readonly ConnectionSummary[], extra: Record<string, number> = {}): JobSummary {
  const summary = emptySummary();
  for (const c of connections) {
    summary.seen += c.seen;
    summary.changed += c.changed;
    summary.enqueued += c.enqueued;
    if (c.error !== null) summary.errors += 1;
  }
  return { ...summary, ...extra };
}

/**
 * One run of a job (see runJobUnderLock), counted in the metrics by job and outcome with its
 * duration on the real clock (deps.now may be a test's fixed clock).
 */
export async function runJob(deps: JobDeps, request: JobRequest): Promise<JobResult> {
  const started = performance.now();
  const result = await runJobUnderLock(deps, request);
  deps.metrics?.jobRun(result.job, result.outcome, (performance.now() - started) / 1000);
  return result;
}

/**
 * One run of a job under its lock (`job:<name>`, with an expiry so a dead holder frees it,
 * renewed while the run goes on), recorded in job_runs with its summary. Never throws: a
 * failure is the run's outcome, logged, and the next tick tries again.
 */
async function runJobUnderLock(deps: JobDeps, request: JobRequest): Promise<JobResult> {
  const now = deps.now ?? (() => new Date());
  const { store, logger } = deps;
  const job = request.job;
  const holder = request.holder ?? newHolder();
  const ttlMs = deps.loaded.config.jobs.lockTtlSeconds * 1000;
  const startedAt = now();
  const result = (outcome: JobResult['outcome'], runId: number | null, rest: Partial<JobResult> = {}): JobResult => ({
    job,
    runId,
    outcome,
    summary: emptySummary(),
    connections: [],
    notes: [],
    error: null,
    startedAt,
    durationMs: now().getTime() - startedAt.getTime(),
    ...rest,
  });

  let held = false;
  try {
    held = await store.acquireLock(lockName(job), holder, now(), ttlMs);
    while (!held && request.wait && !request.signal?.aborted) {
      await sleep(1000, undefined, request.signal ? { signal: request.signal } : undefined).catch(() => undefined);
      held = await store.acquireLock(lockName(job), holder, now(), ttlMs);
    }
  } catch (err) {
    const error = errorText(err);
    logger.error(`${job} could not take its lock`, { job, error });
    return result('failed', null, { error });
  }

  if (!held) {
    const reason = `another run holds the ${lockName(job)} lock`;
    logger.info(`${job} skipped: ${reason}`, { job });
    try {
      const runId = await store.startJobRun(job, holder, startedAt);
      await store.finishJobRun(runId, { outcome: 'skipped', summary: emptySummary(), error: reason }, now());
      return result('skipped', runId, { error: reason });
    } catch (err) {
      return result('skipped', null, { error: `${reason} (the skip was not recorded: ${errorText(err)})` });
    }
  }

  const lost = new AbortController();
  const signal = request.signal ? AbortSignal.any([request.signal, lost.signal]) : lost.signal;
  const renewal = setInterval(() => {
    store.acquireLock(lockName(job), holder, now(), ttlMs).then(
      (still) => {
        if (!still && !lost.signal.aborted) lost.abort(new LockLostError(job));
      },
      (err: unknown) => logger.warn(`${job} could not renew its lock`, { job, error: errorText(err) }),
    );
  }, renewEveryMs(ttlMs));
  renewal.unref();

  let runId: number | null = null;
  try {
    runId = await store.startJobRun(job, holder, startedAt);
    logger.info(`${job} started`, { job, runId });
    const ctx: JobContext = {
      loaded: deps.loaded,
      store,
      clients: deps.clients,
      logger,
      now,
      progress: deps.progress ?? silentProgress,
      signal,
      runId,
      onEnqueued: deps.onEnqueued ?? (() => undefined),
    };
    const output = await runBody(ctx, request);
    const summary = totalsOf(output.connections, output.extra);
    const failures = output.connections.filter((c) => c.error !== null).map((c) => `${c.vendor}/${c.connectionId}: ${c.error}`);
    const outcome = failures.length ? 'failed' : 'ok';
    const error = failures.length ? failures.join('; ') : null;
    await store.finishJobRun(runId, { outcome, summary, error }, now());
    const done = result(outcome, runId, { summary, connections: output.connections, notes: output.notes, error });
    const fields = { job, runId, ...summary, ms: done.durationMs };
    if (outcome === 'ok') logger.info(`${job} finished`, fields);
    else logger.error(`${job} failed`, { ...fields, error });
    return done;
  } catch (err) {
    const error = errorText(err);
    logger.error(`${job} failed`, { job, runId, error });
    if (runId !== null) await store.finishJobRun(runId, { outcome: 'failed', summary: emptySummary(), error }, now()).catch(() => undefined);
    return result('failed', runId, { error });
  } finally {
    clearInterval(renewal);
    deps.progress?.stop();
    await store.releaseLock(lockName(job), holder).catch(() => undefined);
  }
}
