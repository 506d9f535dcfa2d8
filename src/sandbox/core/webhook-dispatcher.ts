import { randomUUID } from 'node:crypto';
import type { FaultInjector } from './faults';

export interface WebhookTarget {
  url: string;
  /** Headers the vendor adds for this body (signature, timestamp, delivery id). */
  headers: (rawBody: string, deliveryId: string) => Record<string, string>;
}

export interface DeliveryRecord {
  deliveryId: string;
  eventType: string;
  entity: string;
  status: number | null;
  attempts: number;
  dropped: boolean;
  /** When the change was committed and the delivery queued (ms). */
  queuedAt: number;
  /** When the last attempt was sent (ms); null until one is. */
  sentAt: number | null;
}

export interface DispatcherOptions {
  faults: FaultInjector;
  /** Attempts per delivery before the vendor gives up (real vendors retry a few times). */
  maxAttempts?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends the webhooks a vendor would send when something changes: one at a time, in the order
 * the changes happened, retried on failure like the vendors do, and dropped when a fault says
 * so. `idle()` resolves once everything queued has been delivered or given up.
 */
export class WebhookDispatcher {
  private target: WebhookTarget | null = null;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  readonly deliveries: DeliveryRecord[] = [];

  constructor(private readonly options: DispatcherOptions) {}

  setTarget(target: WebhookTarget | null): void {
    this.target = target;
  }

  get hasTarget(): boolean {
    return this.target !== null;
  }

  emit(eventType: string, entity: string, body: unknown): void {
    const target = this.target;
    if (!target) return;
    const record: DeliveryRecord = {
      deliveryId: randomUUID(),
      eventType,
      entity,
      status: null,
      attempts: 0,
      dropped: false,
      queuedAt: Date.now(),
      sentAt: null,
    };
    this.deliveries.push(record);
    if (this.options.faults.shouldDropWebhook()) {
      record.dropped = true;
      return;
    }
    const raw = JSON.stringify(body);
    const times = this.options.faults.shouldDuplicateWebhook() ? 2 : 1;
    for (let i = 0; i < times; i += 1) {
      this.pending += 1;
      // A redelivery is the same delivery: same id, same body, as vendors resend it.
      this.queue = this.queue.then(() => this.deliver(target, record, raw)).finally(() => {
        this.pending -= 1;
      });
    }
  }

  private async deliver(target: WebhookTarget, record: DeliveryRecord, raw: string): Promise<void> {
    const max = this.options.maxAttempts ?? 4;
    for (let attempt = 1; attempt <= max; attempt += 1) {
      record.attempts = attempt;
      record.sentAt = Date.now();
      try {
        const res = await fetch(target.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...target.headers(raw, record.deliveryId) },
          body: raw,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        record.status = res.status;
        await res.arrayBuffer();
        if (res.status < 500 && res.status !== 429 && res.status !== 408) return;
      } catch {
        record.status = null;
      }
      if (attempt < max) await sleep((this.options.retryDelayMs ?? 200) * attempt);
    }
  }

  /** Resolves when every queued webhook has been delivered or given up. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.queue;
  }

  stats(): { sent: number; delivered: number; dropped: number; failed: number } {
    const delivered = this.deliveries.filter((d) => d.status !== null && d.status >= 200 && d.status < 300).length;
    const dropped = this.deliveries.filter((d) => d.dropped).length;
    return { sent: this.deliveries.length - dropped, delivered, dropped, failed: this.deliveries.length - dropped - delivered - this.pending };
  }
}
