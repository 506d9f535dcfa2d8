import type { EventFacts } from '../domain/first-sight';
import type { CanonicalStatus, Vendor } from '../domain/ticket';
import { freshdeskEventFacts } from './freshdesk/event-facts';
import { jiraEventFacts } from './jira/event-facts';
import { zendeskEventFacts } from './zendesk/event-facts';

export interface EventFactsOptions {
  /** Freshdesk custom status numbers (as strings) to canonical statuses; unmapped ones read as unknown. */
  freshdeskCustomStatuses?: Record<string, CanonicalStatus>;
}

/**
 * What a webhook body itself says about its change, whichever vendor sent it. Null when the
 * body is not understood at all; facts with nothing but nulls when it is understood but says
 * little (a trigger template, a Freshdesk rule without triggered_event).
 */
export function eventFactsOf(vendor: Vendor, payload: unknown, options: EventFactsOptions = {}): EventFacts | null {
  switch (vendor) {
    case 'zendesk':
      return zendeskEventFacts(payload);
    case 'freshdesk':
      return freshdeskEventFacts(payload, options.freshdeskCustomStatuses);
    case 'jira':
      return jiraEventFacts(payload);
  }
}
