import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../logging/logger';
import { noopMetrics, type MetricsRecorder } from '../metrics/registry';
import type { InboxEvent, Store } from '../store/types';
import type { EventProcessor } from './processor';
import { describeError as describe, runEvent } from './run-event';

export interface WorkerOptions {
  concurrency: number;
  pollIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  leaseMs: number;
  workerId?: string;
  now?: () => Date;
}

/**
 * Claims inbox events and runs them through the processor, `concurrency` at a time. The store
 * guarantees that events of one ticket never run side by side or out of order; the worker
 * adds retries with exponential backoff and the move to dead letters after maxAttempts.
 */
export class Worker {
  readonly id: string;
  private running = false;
  private slots: Promise<void>[] = [];
  private wakeUps: Array<() => void> = [];

  constructor(
    private readonly store: Store,
    private readonly processor: EventProcessor,
    private readonly logger: Logger,
    private readonly options: WorkerOptions,
    private readonly metrics: MetricsRecorder = noopMetrics,
  ) {
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  async start(): Promise<void> {
    if (this.running) return;
    const orphans = await this.store.requeueInterrupted(this.now());
    if (orphans > 0) this.logger.warn('requeued events interrupted by a previous stop', { count: orphans });
    this.running = true;
    this.slots = Array.from({ length: this.options.concurrency }, (_, i) => this.loop(i));
    this.logger.info('worker started', { workerId: this.id, concurrency: this.options.concurrency });
  }

  /** New work arrived: idle slots look at once instead of at the next poll. */
  wake(): void {
    const waiting = this.wakeUps;
    this.wakeUps = [];
    for (const resolve of waiting) resolve();
  }

  /** Finishes the events in hand, claims no more. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await Promise.all(this.slots);
    this.slots = [];
    this.logger.info('worker stopped', { workerId: this.id });
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUps = this.wakeUps.filter((r) => r !== done);
        resolve();
      }, this.options.pollIntervalMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.wakeUps.push(done);
    });
  }

  private async loop(slot: number): Promise<void> {
    while (this.running) {
      let event: InboxEvent | null = null;
      try {
        event = await this.store.claimNext(this.id, this.now(), this.options.leaseMs);
      } catch (err) {
        this.logger.error('could not claim from the inbox', { slot, error: describe(err) });
      }
      if (!event) {
        await this.idle();
        continue;
      }
      await this.runOne(event);
    }
  }

  /** Processes every runnable event now, then returns (for `helpdesk-sync process` and tests). */
  async drain(maxEvents = Number.POSITIVE_INFINITY): Promise<number> {
    let count = 0;
    while (count < maxEvents) {
      const event = await this.store.claimNext(this.id, this.now(), this.options.leaseMs);
      if (!event) break;
      await this.runOne(event);
      count += 1;
    }
    return count;
  }

  private async runOne(event: InboxEvent): Promise<void> {
    await runEvent(
      {
        store: this.store,
        processor: this.processor,
        logger: this.logger,
        workerId: this.id,
        maxAttempts: this.options.maxAttempts,
        backoffBaseMs: this.options.backoffBaseMs,
        backoffMaxMs: this.options.backoffMaxMs,
        now: () => this.now(),
        metrics: this.metrics,
      },
      event,
    );
  }
}
