import { scaledRule, type LimitScale, type RateRule } from '../core/rate-limiter';

/**
 * The per-account, per-minute budget behind Freshdesk's X-RateLimit-* headers (the Pro plan's
 * published 400 calls a minute). The sandbox reports it but does not enforce it:
 * 429s come only from the counted faults, so tests and the demo stay repeatable, unless the
 * documented limits below are turned on (SandboxApp.enforceRateLimits).
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

/**
 * Freshdesk's documented per-minute limits of the Pro plan, for a sandbox
 * that enforces them: 400 calls for the account, and within it 160 ticket creates, 160 ticket
 * updates, 100 ticket-list and 100 contact-list calls. Each call counts one; the extra credits
 * of `include` are reported in the headers but not charged here, because the sources disagree
 * on what an include costs.
 */
export const FRESHDESK_PRO_PER_MINUTE = { account: 400, ticketCreate: 160, ticketUpdate: 160, ticketsList: 100, contactsList: 100 } as const;

export function freshdeskDocumentedLimits(scale: LimitScale = {}): RateRule[] {
  const p = FRESHDESK_PRO_PER_MINUTE;
  return [
    scaledRule('freshdesk-account', p.account, 'minute', scale, () => true),
    scaledRule('freshdesk-ticket-create', p.ticketCreate, 'minute', scale, (m, e) => m === 'POST' && e === '/api/v2/tickets'),
    scaledRule('freshdesk-ticket-update', p.ticketUpdate, 'minute', scale, (m, e) => m === 'PUT' && e === '/api/v2/tickets/:id'),
    scaledRule('freshdesk-tickets-list', p.ticketsList, 'minute', scale, (m, e) => m === 'GET' && e === '/api/v2/tickets'),
    scaledRule('freshdesk-contacts-list', p.contactsList, 'minute', scale, (m, e) => m === 'GET' && e === '/api/v2/contacts'),
  ];
}
