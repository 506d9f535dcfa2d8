import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Vendor } from '../domain/ticket';
import type { Logger } from '../logging/logger';
import type { InboxCounts, Store } from '../store/types';
import { endpointTemplate } from './endpoint';

/**
 * Prometheus metrics of one running service. Each Metrics owns its own Registry (never
 * prom-client's global one: tests start several services in one process), with the default
 * process metrics on it. Labels are bounded: vendor, connection id, outcome, job, state, a
 * route template or a cursor name; never a ticket, issue or event id.
 */

export const METRIC_PREFIX = 'helpdesk_sync_';

/** What became of one webhook delivery. */
export type WebhookOutcome = 'accepted' | 'duplicate' | 'ignored' | 'unavailable_503' | `refused_${number}` | `error_${number}`;
export type EventOutcome = 'done' | 'retry' | 'dead';

/** The recording side, what the webhook route, worker, vendor HTTP core and jobs call. */
export interface MetricsRecorder {
  webhook(vendor: Vendor, connectionId: string, outcome: WebhookOutcome): void;
  /** Starts timing one inbox event; call the result once with how it ended. */
  eventTimer(vendor: Vendor): (outcome: EventOutcome) => void;
  /** One HTTP attempt at a vendor: its status, or 'error' when no answer came (network, timeout). */
  vendorCall(vendor: Vendor, method: string, url: string, status: number | 'error'): void;
  /** A wait the vendor asked for (429 / Retry-After) before the call is sent again. */
  rateLimitWait(vendor: Vendor, waitMs: number): void;
  jobRun(job: string, outcome: string, seconds: number): void;
  /** A vendor connection's circuit breaker changed state (closed, open, half-open). */
  circuitChanged(vendor: Vendor, connectionId: string, state: 'closed' | 'open' | 'half-open', reason: string | null): void;
}

const noop = () => undefined;

/** For code paths built without metrics (unit tests, one-off CLI runs): records nothing. */
export const noopMetrics: MetricsRecorder = {
  webhook: noop,
  eventTimer: () => noop,
  vendorCall: noop,
  rateLimitWait: noop,
  jobRun: noop,
  circuitChanged: noop,
};

/** The webhook answer as an outcome label: bounded (a status code, never a reason text). */
export function webhookOutcome(status: number, body?: Record<string, unknown>): WebhookOutcome {
  if (status === 503) return 'unavailable_503';
  if (status >= 400 && status < 500) return `refused_${status}`;
  if (status >= 500) return `error_${status}`;
  if (body?.status === 'duplicate') return 'duplicate';
  if (body?.status === 'ignored') return 'ignored';
  return 'accepted';
}

/** A cursor value that is an instant (Freshdesk's and Jira's poll cursors), as ms; else null. */
export function cursorTime(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value.trim())) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : at;
}

const INBOX_STATES: ReadonlyArray<keyof InboxCounts> = ['pending', 'processing', 'done', 'dead'];

export interface MetricsOptions {
  /** Inbox depth and poll lag are read from it at scrape time. */
  store?: Store;
  /** Where a failed scrape-time read is reported. */
  logger?: Logger;
  now?: () => Date;
  /** The default process metrics (CPU, memory, event loop, GC); on unless false. */
  defaultMetrics?: boolean;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class Metrics implements MetricsRecorder {
  readonly registry: Registry;
  private readonly webhooks: Counter<'vendor' | 'connection' | 'outcome'>;
  private readonly eventSeconds: Histogram<'vendor' | 'outcome'>;
  private readonly vendorCalls: Counter<'vendor' | 'endpoint' | 'status'>;
  private readonly rateLimitWaits: Counter<'vendor'>;
  private readonly rateLimitWaitSeconds: Counter<'vendor'>;
  private readonly jobRuns: Counter<'job' | 'outcome'>;
  private readonly jobSeconds: Histogram<'job'>;
  private readonly circuitOpen: Gauge<'vendor' | 'connection'>;
  private readonly circuitOpenings: Counter<'vendor' | 'connection' | 'reason'>;

  constructor(options: MetricsOptions = {}) {
    const { store, logger } = options;
    const now = options.now ?? (() => new Date());
    const registry = new Registry();
    this.registry = registry;
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
    const registers = [registry];

    this.webhooks = new Counter({
      name: `${METRIC_PREFIX}webhooks_received_total`,
      help: 'Webhook deliveries received, by vendor, connection and outcome (accepted, duplicate, ignored, refused_<4xx status>, unavailable_503).',
      labelNames: ['vendor', 'connection', 'outcome'],
      registers,
    });
    this.eventSeconds = new Histogram({
      name: `${METRIC_PREFIX}event_processing_seconds`,
      help: 'Time to process one inbox event, by vendor and outcome (done, retry, dead).',
      labelNames: ['vendor', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.vendorCalls = new Counter({
      name: `${METRIC_PREFIX}vendor_api_calls_total`,
      help: 'HTTP attempts at vendor APIs, by vendor, endpoint template and status (or "error" when no answer came).',
      labelNames: ['vendor', 'endpoint', 'status'],
      registers,
    });
    this.rateLimitWaits = new Counter({
      name: `${METRIC_PREFIX}vendor_rate_limit_waits_total`,
      help: 'Waits a vendor asked for (429 or Retry-After) before a call was sent again, by vendor.',
      labelNames: ['vendor'],
      registers,
    });
    this.rateLimitWaitSeconds = new Counter({
      name: `${METRIC_PREFIX}vendor_rate_limit_wait_seconds_total`,
      help: 'Seconds spent in waits a vendor asked for (429 or Retry-After), by vendor.',
      labelNames: ['vendor'],
      registers,
    });
    this.jobRuns = new Counter({
      name: `${METRIC_PREFIX}job_runs_total`,
      help: 'Sync job runs (poll, reconcile, backfill), by job and outcome (ok, failed, skipped).',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.jobSeconds = new Histogram({
      name: `${METRIC_PREFIX}job_duration_seconds`,
      help: 'Duration of sync job runs, by job.',
      labelNames: ['job'],
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });

    this.circuitOpen = new Gauge({
      name: `${METRIC_PREFIX}vendor_circuit_open`,
      help: "1 while a vendor connection's circuit breaker is open or probing (its events wait, attempts not counted), 0 when closed.",
      labelNames: ['vendor', 'connection'],
      registers,
    });
    this.circuitOpenings = new Counter({
      name: `${METRIC_PREFIX}vendor_circuit_openings_total`,
      help: 'Times a vendor connection\'s circuit opened, by reason: outage (5xx, timeouts, refused connections), auth (401/403: credentials refused), rate_limited (a long Retry-After).',
      labelNames: ['vendor', 'connection', 'reason'],
      registers,
    });
    new Gauge({
      name: `${METRIC_PREFIX}inbox_events`,
      help: 'Inbox events by state (pending, processing, done, dead), read from the store at scrape time.',
      labelNames: ['state'],
      registers,
      async collect() {
        if (!store) return;
        try {
          const counts = await store.inboxCounts();
          for (const state of INBOX_STATES) this.set({ state }, counts[state]);
        } catch (err) {
          // The scrape still answers, with the last values read.
          logger?.warn('metrics: could not read inbox counts', { error: errorText(err) });
        }
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}poll_lag_seconds`,
      help: 'Seconds between now and the instant a time-based sync cursor stands at, by cursor name (opaque cursors are left out).',
      labelNames: ['cursor'],
      registers,
      async collect() {
        if (!store) return;
        try {
          const rows = await store.listCursors();
          const at = now().getTime();
          this.reset();
          for (const row of rows) {
            const time = cursorTime(row.value);
            if (time !== null) this.set({ cursor: row.name }, Math.max(0, (at - time) / 1000));
          }
        } catch (err) {
          logger?.warn('metrics: could not read sync cursors', { error: errorText(err) });
        }
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  webhook(vendor: Vendor, connectionId: string, outcome: WebhookOutcome): void {
    this.webhooks.inc({ vendor, connection: connectionId, outcome });
  }

  eventTimer(vendor: Vendor): (outcome: EventOutcome) => void {
    const end = this.eventSeconds.startTimer({ vendor });
    return (outcome) => {
      end({ outcome });
    };
  }

  vendorCall(vendor: Vendor, method: string, url: string, status: number | 'error'): void {
    this.vendorCalls.inc({ vendor, endpoint: endpointTemplate(method, url), status: String(status) });
  }

  rateLimitWait(vendor: Vendor, waitMs: number): void {
    this.rateLimitWaits.inc({ vendor });
    this.rateLimitWaitSeconds.inc({ vendor }, Math.max(0, waitMs) / 1000);
  }

  jobRun(job: string, outcome: string, seconds: number): void {
    this.jobRuns.inc({ job, outcome });
    this.jobSeconds.observe({ job }, Math.max(0, seconds));
  }

  circuitChanged(vendor: Vendor, connectionId: string, state: 'closed' | 'open' | 'half-open', reason: string | null): void {
    this.circuitOpen.set({ vendor, connection: connectionId }, state === 'closed' ? 0 : 1);
    if (state === 'open' && reason) this.circuitOpenings.inc({ vendor, connection: connectionId, reason });
  }
}
