import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../logging/logger';
import { noopMetrics, type MetricsRecorder } from '../metrics/registry';
import type { InboxEvent, Store } from '../store/types';
import type { EventProcessor } from './processor';
import type { Circuits } from '../vendors/core/circuit';
import { backoffMs } from '../vendors/core/retry-after';
import { OutageMemory } from './failure';
import { describeError as describe, eventLogContext, runEvent, SettlementError } from './run-event';

export interface WorkerOptions {
  concurrency: number;
  pollIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  leaseMs: number;
  workerId?: string;
  now?: () => Date;
  /** The process's circuit breakers (events wait, uncounted, while their connection's is open). */
  circuits?: Circuits;
}

/**
 * Claims inbox events and runs them through the processor, `concurrency` at a time. The store
 * guarantees that events of one ticket never run side by side or out of order; the worker
 * adds retries with exponential backoff and the move to dead letters after maxAttempts.
 * Each slot supervises itself: whatever throws, the slot logs it with the event's id and goes
 * on; an outcome the store could not record is kept by the slot and written again (with
 * backoff) before it claims anything else, so no event is left `processing` behind a live slot.
 */
export class Worker {
  readonly id: string;
  private running = false;
  private slots: Promise<void>[] = [];
  private wakeUps: Array<() => void> = [];
  private readonly outages = new OutageMemory();

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

  private idle(ms = this.options.pollIntervalMs): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUps = this.wakeUps.filter((r) => r !== done);
        resolve();
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.wakeUps.push(done);
    });
  }

  private async loop(slot: number): Promise<void> {
    let owed: SettlementError | null = null;
    let settleTries = 0;
    let claimFailures = 0;
    while (this.running) {
      if (owed) {
        const { event: owedEvent, outcome: owedOutcome } = owed;
        try {
          await owed.settle();
          this.logger.info('recorded an event outcome the store had refused', { ...eventLogContext(owedEvent), slot, outcome: owedOutcome.kind, tries: settleTries + 1 });
          owed = null;
          settleTries = 0;
        } catch (err) {
          settleTries += 1;
          if (settleTries === 1 || settleTries % 20 === 0) {
            this.logger.error('still cannot record an event outcome; the slot keeps it and tries again', { ...eventLogContext(owedEvent), slot, outcome: owedOutcome.kind, tries: settleTries, error: describe(err) });
          }
          await this.idle(backoffMs(settleTries, this.options.pollIntervalMs, 5_000));
          continue;
        }
      }
      let event: InboxEvent | null = null;
      try {
        event = await this.store.claimNext(this.id, this.now(), this.options.leaseMs);
        claimFailures = 0;
      } catch (err) {
        // A full disk fails every claim: say so once and now and then, not on every poll.
        claimFailures += 1;
        if (claimFailures === 1 || claimFailures % 20 === 0) this.logger.error('could not claim from the inbox', { slot, failures: claimFailures, error: describe(err) });
        await this.idle(backoffMs(claimFailures, this.options.pollIntervalMs, 5_000));
        continue;
      }
      if (!event) {
        await this.idle();
        continue;
      }
      owed = await this.supervised(slot, event);
    }
    // Stopping with an outcome still owed: one last try; else the lease runs out and the next
    // start (or another worker) takes the event again.
    const last = owed;
    if (last) await last.settle().catch((err: unknown) => this.logger.error('stopped with an event outcome unrecorded; its lease will expire', { ...eventLogContext(last.event), slot, error: describe(err) }));
  }

  /** Runs one event; never throws. Returns the outcome the store could not record, if any. */
  private async supervised(slot: number, event: InboxEvent): Promise<SettlementError | null> {
    try {
      await this.runOne(event);
      return null;
    } catch (err) {
      if (err instanceof SettlementError) {
        this.logger.error('could not record an event outcome; the slot keeps it and tries again', { ...eventLogContext(event), slot, outcome: err.outcome.kind, error: describe(err.storeError) });
        return err;
      }
      // A bug of ours outside the processor's own error handling: the event goes back to
      // pending with backoff, as any failure would.
      const message = describe(err);
      this.logger.error('unexpected error around an event; it goes back to pending', { ...eventLogContext(event), slot, error: message });
      const retryAt = new Date(this.now().getTime() + backoffMs(event.attempts, this.options.backoffBaseMs, this.options.backoffMaxMs));
      const write = () => this.store.fail(event.id, this.id, message, retryAt);
      try {
        await write();
        return null;
      } catch (storeError) {
        return new SettlementError(event, { kind: 'retry', waitMs: 0, error: message }, write, storeError);
      }
    }
  }

  /** Processes every runnable event now, then returns (for `helpdesk-sync process` and tests). */
  async drain(maxEvents = Number.POSITIVE_INFINITY): Promise<number> {
    let count = 0;
    while (count < maxEvents) {
      const event = await this.store.claimNext(this.id, this.now(), this.options.leaseMs);
      if (!event) break;
      const owed = await this.supervised(0, event);
      // Here nobody would try again: say so, the event's lease ends and a later run takes it.
      if (owed) throw owed;
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
        circuits: this.options.circuits,
        outages: this.outages,
      },
      event,
    );
  }
}
