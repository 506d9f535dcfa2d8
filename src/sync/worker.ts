import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../logging/logger';
import { secrets } from '../logging/redact';
import type { InboxEvent, Store } from '../store/types';
import { isVendorApiError } from '../vendors/core/errors';
import { backoffMs } from '../vendors/core/retry-after';
import { PermanentEventError } from './errors';
import type { EventProcessor } from './processor';

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

/** 4xx answers that another attempt cannot change: the event goes to the dead letters at once. */
function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentEventError) return true;
  if (!isVendorApiError(err)) return false;
  return err.kind === 'invalid_response' || err.status === 400 || err.status === 404 || err.status === 422;
}

function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return secrets.maskString(text).slice(0, 2000);
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
    const ticketId = event.entityKey.split(':')[1];
    const log = this.logger.child({ vendor: event.vendor, connection: event.connectionId, ticketId, eventId: event.id, eventType: event.eventType });
    // Events of this ticket that arrived before the fetch below starts are covered by it.
    const fetchStartedAt = this.now();
    try {
      const outcome = await this.processor.process(event, log);
      await this.store.complete(event.id, this.id, this.now());
      // An echo was not fetched, so it covers nothing that arrived before it.
      if (outcome !== 'echo') {
        const merged = await this.store.coalesce(event.id, fetchStartedAt, this.now());
        if (merged > 0) log.debug('later events of the ticket were covered by this fetch', { merged });
      }
      if (outcome === 'deleted') log.info('entity deleted at the vendor; kept as deleted');
    } catch (err) {
      const message = describe(err);
      if (isPermanent(err) || event.attempts >= this.options.maxAttempts) {
        await this.store.deadLetter(event.id, this.id, message, this.now());
        log.error('event moved to dead letters', { attempts: event.attempts, error: message });
        return;
      }
      const asked = isVendorApiError(err) ? (err.retryAfterMs ?? 0) : 0;
      const wait = Math.max(asked, backoffMs(event.attempts, this.options.backoffBaseMs, this.options.backoffMaxMs));
      await this.store.fail(event.id, this.id, message, new Date(this.now().getTime() + wait));
      log.warn('event failed; will retry', { attempts: event.attempts, retryInMs: wait, error: message });
    }
  }
}
