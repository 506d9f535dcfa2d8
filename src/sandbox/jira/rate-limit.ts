import { scaledRule, type LimitScale, type RateRule } from '../core/rate-limiter';

/**
 * Jira Cloud's burst limits for API-token traffic (its published defaults, as third parties
 * summarise them): 100 GET and 100 POST a second, 50 PUT/DELETE a second,
 * each method class its own budget. API tokens are not under the hourly points quotas.
 */
export const JIRA_BURST_PER_SECOND = { GET: 100, POST: 100, WRITE: 50 } as const;

export function jiraDocumentedLimits(scale: LimitScale = {}): RateRule[] {
  return [
    scaledRule('jira-burst-get', JIRA_BURST_PER_SECOND.GET, 'second', scale, (m) => m === 'GET'),
    scaledRule('jira-burst-post', JIRA_BURST_PER_SECOND.POST, 'second', scale, (m) => m === 'POST'),
    scaledRule('jira-burst-put-delete', JIRA_BURST_PER_SECOND.WRITE, 'second', scale, (m) => m === 'PUT' || m === 'DELETE'),
  ];
}
