/**
 * The per-account, per-minute budget behind Freshdesk's X-RateLimit-* headers (VENDOR-APIS
 * 1.6, the Pro plan's 400 calls a minute). The sandbox reports it but never enforces it:
 * 429s come only from the counted faults, so tests and the demo stay repeatable.
 */
export const RATE_LIMIT_TOTAL = 400;

export class RateBudget {
  private windowStart = 0;
  private used = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  /** Spends one call's credit and answers its headers. Invalid calls count too, as at Freshdesk. */
  spend(): Record<string, string> {
    const now = this.clock();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.used = 0;
    }
    this.used += 1;
    return this.headers(1);
  }

  /** Each `include` costs one more credit; answers the call's headers with the total it used. */
  surcharge(extra: number): Record<string, string> {
    this.used += extra;
    return this.headers(1 + extra);
  }

  private headers(credits: number): Record<string, string> {
    return {
      'X-RateLimit-Total': String(RATE_LIMIT_TOTAL),
      'X-RateLimit-Remaining': String(Math.max(0, RATE_LIMIT_TOTAL - this.used)),
      'X-RateLimit-Used-CurrentRequest': String(credits),
    };
  }
}
