/**
 * Faults a sandbox can be told to produce, counted rather than random so tests and the demo
 * are repeatable: "the next 3 calls get 429", "the next 5 calls get 503", "drop the next 2
 * webhooks". Probabilities exist for manual experiments with `helpdesk-sync sandbox`.
 */
export interface FaultSettings {
  /** The next N API calls are answered 429 with Retry-After. */
  rateLimitNext?: number;
  retryAfterSeconds?: number;
  /** The next N API calls are answered with serverErrorStatus. */
  serverErrorNext?: number;
  serverErrorStatus?: number;
  /** Every API answer is delayed this long. */
  latencyMs?: number;
  /** The next N webhooks are not sent (as if the vendor lost them). */
  dropWebhooksNext?: number;
  /** The next N webhooks are delivered twice (vendors deliver at least once). */
  duplicateWebhooksNext?: number;
  /** Every Nth API call is answered 429 / serverErrorStatus (0: off), for steady, repeatable pressure. */
  rateLimitEvery?: number;
  serverErrorEvery?: number;
  /** Share of API calls (0..1) answered 429 / 5xx, and of webhooks dropped, at random. */
  rateLimitRate?: number;
  serverErrorRate?: number;
  dropWebhookRate?: number;
}

export type ApiFault = { kind: 'rate_limited'; retryAfterSeconds: number } | { kind: 'server_error'; status: number } | null;

export interface FaultStats {
  rateLimited: number;
  serverErrors: number;
  droppedWebhooks: number;
  duplicatedWebhooks: number;
}

export class FaultInjector {
  private settings: Required<FaultSettings> = FaultInjector.none();
  private apiCalls = 0;
  readonly stats: FaultStats = { rateLimited: 0, serverErrors: 0, droppedWebhooks: 0, duplicatedWebhooks: 0 };

  constructor(private readonly random: () => number = Math.random) {}

  private static none(): Required<FaultSettings> {
    return {
      rateLimitNext: 0,
      retryAfterSeconds: 1,
      serverErrorNext: 0,
      serverErrorStatus: 503,
      latencyMs: 0,
      dropWebhooksNext: 0,
      duplicateWebhooksNext: 0,
      rateLimitEvery: 0,
      serverErrorEvery: 0,
      rateLimitRate: 0,
      serverErrorRate: 0,
      dropWebhookRate: 0,
    };
  }

  /** Merges new settings over the current ones. */
  set(settings: FaultSettings): void {
    this.settings = { ...this.settings, ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) };
  }

  clear(): void {
    this.settings = FaultInjector.none();
  }

  current(): Required<FaultSettings> {
    return { ...this.settings };
  }

  get latencyMs(): number {
    return this.settings.latencyMs;
  }

  /** Decides the fault for one API call, consuming the counted ones first. */
  nextApiFault(): ApiFault {
    const s = this.settings;
    this.apiCalls += 1;
    const every = (n: number) => n > 0 && this.apiCalls % n === 0;
    if (s.rateLimitNext > 0 || every(s.rateLimitEvery) || (s.rateLimitRate > 0 && this.random() < s.rateLimitRate)) {
      if (s.rateLimitNext > 0) s.rateLimitNext -= 1;
      this.stats.rateLimited += 1;
      return { kind: 'rate_limited', retryAfterSeconds: s.retryAfterSeconds };
    }
    if (s.serverErrorNext > 0 || every(s.serverErrorEvery) || (s.serverErrorRate > 0 && this.random() < s.serverErrorRate)) {
      if (s.serverErrorNext > 0) s.serverErrorNext -= 1;
      this.stats.serverErrors += 1;
      return { kind: 'server_error', status: s.serverErrorStatus };
    }
    return null;
  }

  shouldDuplicateWebhook(): boolean {
    if (this.settings.duplicateWebhooksNext <= 0) return false;
    this.settings.duplicateWebhooksNext -= 1;
    this.stats.duplicatedWebhooks += 1;
    return true;
  }

  shouldDropWebhook(): boolean {
    const s = this.settings;
    if (s.dropWebhooksNext > 0 || (s.dropWebhookRate > 0 && this.random() < s.dropWebhookRate)) {
      if (s.dropWebhooksNext > 0) s.dropWebhooksNext -= 1;
      this.stats.droppedWebhooks += 1;
      return true;
    }
    return false;
  }
}
