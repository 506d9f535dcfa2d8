import type { Vendor } from '../domain/ticket';
import { freshdeskWebhookAdapter } from '../vendors/freshdesk/webhook';
import { jiraWebhookAdapter } from '../vendors/jira/webhook';
import { zendeskWebhookAdapter } from '../vendors/zendesk/webhook';
import type { WebhookAdapter } from './types';

export function webhookAdapters(options: { zendeskMaxSkewSeconds: number }): Record<Vendor, WebhookAdapter> {
  return {
    freshdesk: freshdeskWebhookAdapter,
    zendesk: zendeskWebhookAdapter(options.zendeskMaxSkewSeconds),
    jira: jiraWebhookAdapter,
  };
}
