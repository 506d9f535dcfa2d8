import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Job } from 'pg-boss';
import type { Logger } from '../../logging/logger';
import { noopMetrics, type MetricsRecorder } from '../../metrics/registry';
import type { PgStore } from '../../store/postgres/pg-store';
import type { EventProcessor } from '../processor';
import type { Circuits } from '../../vendors/core/circuit';
import { OutageMemory } from '../failure';
import { describeError, eventLogContext, runEvent, SettlementError } from '../run-event';
import type { EventEngine } from './types';
import { HEARTBEAT_SECONDS, INBOX_QUEUE, PgBossJobs, scheduleQueueOf, type InboxJobData, type RetrySettings } from './pg-boss-jobs';

export interface PgBossEngineOptions extends RetrySettings {
  concurrency: number;
  pollIntervalMs: number;
  workerId?: string;
  now?: () => Date;
  circuits?: Circuits;
}

/** A job the server runs on a schedule, on one instance at a time. */
export interface ScheduledJob {
  name: string;
  cron: string;
  run(signal: AbortSignal): Promise<void>;
}

/**
 * The inbox processed through pg-boss (PostgreSQL): each event's job is fetched by whichever
 * instance is free, `concurrency` at a time here; key_strict_fifo runs one ticket's jobs one
 * after another, in the order they were sent, across every instance. The handler leases the
 * inbox row (PgStore.claimEvent), then runs the same runEvent as the Worker.
 *
 * - done or dead already (coalesced by an earlier fetch, replayed elsewhere): nothing to do, the
 *   job completes;
 * - retryable failure: store.fail, then the handler throws, and pg-boss retries the job with its
 *   backoff; the job is `retry` meanwhile, which holds the ticket's later jobs back (order);
 * - permanent failure or last attempt: store.deadLetter, whose transaction also puts a copy on
 *   DEAD_QUEUE; the job then completes. It is never left `failed`, because under key_strict_fifo
 *   a failed job holds its key until someone deletes or retries it: a dead event would stop
 *   its ticket for good.
 * Jobs that pg-boss fails by itself (its retries ran out, say the instance died every time)
 * are copied to DEAD_QUEUE by the queue's deadLetter option; releaseFailedKeys() records them
 * in our dead letters and deletes them, which frees their keys.
 */
export class PgBossEngine implements EventEngine {
  readonly id: string;
  private workIds: string[] = [];
  private processed = 0;
  private readonly stopping = new AbortController();
  private readonly running = new Set<Promise<unknown>>();
  private repairTimer: NodeJS.Timeout | null = null;
  private readonly outages = new OutageMemory();

  constructor(
    readonly jobs: PgBossJobs,
    private readonly store: PgStore,
    private readonly processor: EventProcessor | null,
    private readonly logger: Logger,
    private readonly options: PgBossEngineOptions,
    private readonly metrics: MetricsRecorder = noopMetrics,
  ) {
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  private get boss() {
    return this.jobs.boss;
  }

  /** Starts working the inbox queue (a processor is needed: web-only services never call this). */
  async start(): Promise<void> {
    if (!this.processor || this.workIds.length) return;
    const pollingIntervalSeconds = Math.max(0.5, this.options.pollIntervalMs / 1000);
    this.workIds.push(
      await this.boss.work<InboxJobData>(
        INBOX_QUEUE,
        { localConcurrency: this.options.concurrency, batchSize: 1, pollingIntervalSeconds, notifyPollingIntervalSeconds: Math.max(pollingIntervalSeconds, 5) },
        async (batch: Job<InboxJobData>[]) => {
          for (const job of batch) await this.handle(job);
        },
      ),
    );
    await this.releaseFailedKeys().catch((err: unknown) => this.logger.error('could not release failed pg-boss keys', { error: describeError(err) }));
    this.repairTimer = setInterval(() => {
      void this.releaseFailedKeys().catch((err: unknown) => this.logger.error('could not release failed pg-boss keys', { error: describeError(err) }));
    }, 60_000);
    this.repairTimer.unref();
    this.logger.info('pg-boss engine started', { workerId: this.id, concurrency: this.options.concurrency, queue: INBOX_QUEUE, schema: this.jobs.schema });
  }

  /** One inbox job. Resolves (the job completes) unless the event should be tried again. */
  async handle(job: Job<InboxJobData>): Promise<void> {
    // A finished job may free its ticket's next one (no NOTIFY says so): every worker here
    // fetches again as soon as it is free, instead of at its next poll.
    try {
      await this.handleOne(job);
    } finally {
      this.wake();
    }
  }

  private async handleOne(job: Job<InboxJobData>): Promise<void> {
    const event = await this.store.claimEvent(job.data.eventId, this.id, this.now(), this.options.leaseMs);
    if (!event) return;
    const outcome = await runEvent(
      {
        store: this.store,
        processor: this.processor as EventProcessor,
        logger: this.logger,
        workerId: this.id,
        maxAttempts: this.options.maxAttempts,
        backoffBaseMs: this.options.backoffBaseMs,
        backoffMaxMs: this.options.backoffMaxMs,
        now: () => this.now(),
        metrics: this.metrics,
        circuits: this.options.circuits,
        outages: this.outages,
      },
      event,
    ).catch(async (err: unknown) => {
      // The store refused the outcome: one more try here, else pg-boss retries the job (the
      // inbox row's lease runs out and claimEvent takes it again).
      if (!(err instanceof SettlementError)) throw err;
      this.logger.error('could not record an event outcome; trying once more', { ...eventLogContext(event), outcome: err.outcome.kind, error: describeError(err.storeError) });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await err.settle();
      return err.outcome;
    });
    this.processed += 1;
    if (outcome.kind === 'retry' || outcome.kind === 'paused') throw new Error(outcome.error);
  }

  /**
   * Keys held by a job pg-boss failed for good: the event goes to our dead letters (unless it is
   * finished already) and the job is deleted, so the ticket's next events run.
   */
  async releaseFailedKeys(): Promise<number> {
    let released = 0;
    for (const key of await this.boss.getBlockedKeys(INBOX_QUEUE, { limit: 1000 })) {
      const failed = (await this.boss.findJobs<InboxJobData>(INBOX_QUEUE, { key })).filter((j) => j.state === 'failed');
      for (const job of failed) {
        const event = await this.store.claimEvent(job.data.eventId, this.id, this.now(), this.options.leaseMs);
        if (event) await this.store.deadLetter(event.id, this.id, `pg-boss gave up on the job after ${job.retryCount} retries`, this.now());
        await this.boss.deleteJob(INBOX_QUEUE, job.id);
        released += 1;
      }
    }
    if (released) this.logger.warn('released ticket keys held by jobs pg-boss failed', { released });
    return released;
  }

  /**
   * The scheduled jobs through pg-boss's schedule(): one queue each (`exclusive`: one queued or
   * active at a time), ticked by whichever instance keeps the schedule, run by whichever works it.
   */
  async schedule(jobs: readonly ScheduledJob[]): Promise<void> {
    for (const job of jobs) {
      const queue = scheduleQueueOf(job.name);
      if (!(await this.boss.getQueue(queue))) {
        try {
          await this.boss.createQueue(queue, { policy: 'exclusive', retryLimit: 0, expireInSeconds: 6 * 3600, heartbeatSeconds: HEARTBEAT_SECONDS * 3 });
        } catch (err) {
          if (!(await this.boss.getQueue(queue))) throw err;
        }
      }
      await this.boss.schedule(queue, job.cron, null, { tz: Intl.DateTimeFormat().resolvedOptions().timeZone });
      this.workIds.push(
        await this.boss.work(queue, { localConcurrency: 1, pollingIntervalSeconds: 2 }, async (batch: Job[]) => {
          for (const j of batch) {
            const signal = AbortSignal.any([j.signal, this.stopping.signal]);
            const run = job.run(signal).catch((err: unknown) => {
              this.logger.error(`scheduled ${job.name} failed`, { job: job.name, error: describeError(err) });
            });
            this.running.add(run);
            try {
              await run;
            } finally {
              this.running.delete(run);
            }
          }
        }),
      );
    }
  }

  /** New work arrived: this instance's inbox workers look now (others hear pg-boss's NOTIFY). */
  wake(): void {
    if (!this.workIds.length) return;
    for (const w of this.boss.getWipData()) if (w.name === INBOX_QUEUE) this.boss.notifyWorker(w.id);
  }

  /**
   * Waits until the inbox has nothing pending or in processing (whichever instance runs it), or
   * `maxEvents` were handled here; returns how many this engine handled meanwhile.
   */
  async drain(maxEvents = Number.POSITIVE_INFINITY, timeoutMs = 60_000): Promise<number> {
    const start = this.processed;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.wake();
      const c = await this.store.inboxCounts();
      if ((c.pending === 0 && c.processing === 0) || this.processed - start >= maxEvents || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.processed - start;
  }

  /** Stops fetching, lets jobs in hand finish (scheduled runs are asked to stop between pages), stops pg-boss. */
  async stop(): Promise<void> {
    if (this.repairTimer) clearInterval(this.repairTimer);
    this.repairTimer = null;
    this.stopping.abort(new Error('the server is stopping'));
    await Promise.all([...this.running]);
    await this.jobs.stop();
    this.workIds = [];
    this.logger.info('pg-boss engine stopped', { workerId: this.id });
  }
}
