import { freshdeskDocumentedLimits } from '../freshdesk/rate-limit';
import { jiraDocumentedLimits } from '../jira/rate-limit';
import { zendeskDocumentedLimits } from '../zendesk/rate-limit';
import { EnforcedRateLimits, type LimitScale, type RateRule } from './rate-limiter';

/** Each vendor's documented limits (Freshdesk's and Zendesk's per plan, Jira Cloud's burst limits), as rules a sandbox enforces. */
export function documentedRules(vendor: 'freshdesk' | 'zendesk' | 'jira', scale: LimitScale = {}): RateRule[] {
  if (vendor === 'freshdesk') return freshdeskDocumentedLimits(scale);
  if (vendor === 'zendesk') return zendeskDocumentedLimits(scale);
  return jiraDocumentedLimits(scale);
}

interface Enforceable {
  vendor: 'freshdesk' | 'zendesk' | 'jira';
  enforceRateLimits(limits: EnforcedRateLimits | null): void;
}

/**
 * Turns the documented limits on for the given sandboxes' HTTP apps (world.ts's `freshdesk.http`,
 * `zendesk.http`, `jira.http`), each with budgets of its own. Returns the limiters, for stats.
 */
export function enforceDocumentedLimits<T extends Enforceable>(apps: readonly T[], scale: LimitScale = {}): Map<T['vendor'], EnforcedRateLimits> {
  const out = new Map<T['vendor'], EnforcedRateLimits>();
  for (const app of apps) {
    const limits = new EnforcedRateLimits(documentedRules(app.vendor, scale));
    app.enforceRateLimits(limits);
    out.set(app.vendor, limits);
  }
  return out;
}
