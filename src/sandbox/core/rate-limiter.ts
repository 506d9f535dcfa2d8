/**
 * Rate limits a sandbox can enforce, as the vendors do: a budget of calls per window, answered
 * with 429 and Retry-After once spent. Off unless a test, the demo or a benchmark turns it on
 * (SandboxApp.enforceRateLimits, or POST /_sandbox/rate-limits): the sandboxes' answers stay
 * repeatable by default.
 *
 * A window opens at the first call after the previous one closed and lasts `windowMs`; every
 * rule a call matches must have room, and the call spends one from each. Windows may be
 * scaled (a "minute" of 6 s) to keep benchmarks short; Retry-After is then scaled with them,
 * so a client waits the same share of a window as it would at the vendor.
 */
export interface RateRule {
  /** Names the budget in stats: `zendesk-incremental-exports`. */
  name: string;
  limit: number;
  windowMs: number;
  /** Retry-After is rounded up to this (1000: whole seconds, as vendors send it). */
  retryAfterResolutionMs: number;
  applies(method: string, endpoint: string): boolean;
}

export type RateDecision = { allowed: true } | { allowed: false; rule: RateRule; retryAfterMs: number };

export interface RuleStats {
  limit: number;
  windowMs: number;
  admitted: number;
  rejected: number;
}

/** Retry-After in seconds: whole when it is, else with the decimals a scaled window needs. */
export function retryAfterHeader(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? String(seconds) : String(Number(seconds.toFixed(3)));
}

export class EnforcedRateLimits {
  private readonly windows = new Map<string, { start: number; used: number }>();
  private readonly counts = new Map<string, { admitted: number; rejected: number }>();

  constructor(
    readonly rules: readonly RateRule[],
    private readonly clock: () => number = Date.now,
  ) {}

  private window(rule: RateRule, now: number): { start: number; used: number } {
    let w = this.windows.get(rule.name);
    if (!w || now - w.start >= rule.windowMs) {
      w = { start: now, used: 0 };
      this.windows.set(rule.name, w);
    }
    return w;
  }

  private count(rule: RateRule, field: 'admitted' | 'rejected'): void {
    const c = this.counts.get(rule.name) ?? { admitted: 0, rejected: 0 };
    c[field] += 1;
    this.counts.set(rule.name, c);
  }

  /** Spends one call from every matching budget, or says how long to wait (nothing spent then). */
  admit(method: string, endpoint: string): RateDecision {
    const now = this.clock();
    const matching = this.rules.filter((r) => r.applies(method, endpoint));
    let worst: { rule: RateRule; waitMs: number } | null = null;
    for (const rule of matching) {
      const w = this.window(rule, now);
      if (w.used < rule.limit) continue;
      const waitMs = w.start + rule.windowMs - now;
      if (!worst || waitMs > worst.waitMs) worst = { rule, waitMs };
    }
    if (worst) {
      this.count(worst.rule, 'rejected');
      const step = worst.rule.retryAfterResolutionMs;
      return { allowed: false, rule: worst.rule, retryAfterMs: Math.max(step, Math.ceil(worst.waitMs / step) * step) };
    }
    for (const rule of matching) {
      this.window(rule, now).used += 1;
      this.count(rule, 'admitted');
    }
    return { allowed: true };
  }

  stats(): Record<string, RuleStats> {
    const out: Record<string, RuleStats> = {};
    for (const r of this.rules) out[r.name] = { limit: r.limit, windowMs: r.windowMs, admitted: 0, rejected: 0, ...this.counts.get(r.name) };
    return out;
  }
}

/** A "minute" and a "second" of the vendors' documented limits, real or scaled. */
export interface LimitScale {
  minuteMs?: number;
  secondMs?: number;
}

/** A rule over a documented per-minute (or per-second) budget, scaled as asked. */
export function scaledRule(name: string, limit: number, per: 'minute' | 'second', scale: LimitScale, applies: RateRule['applies']): RateRule {
  const real = per === 'minute' ? 60_000 : 1000;
  const windowMs = per === 'minute' ? (scale.minuteMs ?? real) : (scale.secondMs ?? real);
  return { name, limit, windowMs, retryAfterResolutionMs: Math.max(1, Math.round((1000 * windowMs) / real)), applies };
}
