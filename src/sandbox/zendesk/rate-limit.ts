import { scaledRule, type LimitScale, type RateRule } from '../core/rate-limiter';

/**
 * Zendesk's documented limits, for a sandbox that enforces them:
 * 700 requests a minute for the account (Enterprise) and 10 a minute on the incremental
 * exports, which count against the account budget too.
 */
export const ZENDESK_ACCOUNT_PER_MINUTE = 700;
export const ZENDESK_INCREMENTAL_PER_MINUTE = 10;

export function zendeskDocumentedLimits(scale: LimitScale = {}): RateRule[] {
  return [
    scaledRule('zendesk-account', ZENDESK_ACCOUNT_PER_MINUTE, 'minute', scale, () => true),
    scaledRule('zendesk-incremental-exports', ZENDESK_INCREMENTAL_PER_MINUTE, 'minute', scale, (_m, endpoint) => endpoint.startsWith('/api/v2/incremental/')),
  ];
}
