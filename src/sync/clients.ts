import type { Config } from '../config/schema';
import type { ResolvedConnection } from '../config/load';
import type { FreshdeskConnectionConfig, JiraConnectionConfig, ZendeskConnectionConfig } from '../config/schema';
import type { Logger } from '../logging/logger';
import { FreshdeskClient } from '../vendors/freshdesk/client';
import { JiraClient } from '../vendors/jira/client';
import { ZendeskClient } from '../vendors/zendesk/client';
import type { HelpdeskClient, JiraClientApi, VendorClientOptions } from '../vendors/types';
import type { RetryPolicy } from '../vendors/core/http-client';

/** The clients of every enabled connection, built once and shared by worker and CLI. */
export class VendorClients {
  private readonly helpdesks = new Map<string, HelpdeskClient>();
  private readonly jiras = new Map<string, JiraClientApi>();
  private readonly jiraUrls = new Map<string, string>();

  constructor(connections: ResolvedConnection[], config: Config, logger: Logger) {
    const retry: RetryPolicy = {
      retries: config.vendorHttp.retries,
      minDelayMs: config.vendorHttp.minRetryDelayMs,
      maxDelayMs: config.vendorHttp.maxRetryDelayMs,
      maxRetryAfterMs: config.vendorHttp.maxRetryAfterMs,
    };
    for (const c of connections) {
      if (!c.enabled) continue;
      const base = (url: string | undefined): VendorClientOptions => ({
        connectionId: c.id,
        baseUrl: url as string,
        timeoutMs: config.vendorHttp.timeoutMs,
        retry,
        logger: logger.child({ vendor: c.vendor, connection: c.id }),
      });
      if (c.vendor === 'freshdesk') {
        const s = c.settings as FreshdeskConnectionConfig;
        this.helpdesks.set(`freshdesk/${c.id}`, new FreshdeskClient({ ...base(s.url), apiKey: s.apiKey as string, customStatusMap: s.customStatuses }));
      } else if (c.vendor === 'zendesk') {
        const s = c.settings as ZendeskConnectionConfig;
        this.helpdesks.set(`zendesk/${c.id}`, new ZendeskClient({ ...base(s.url), email: s.email as string, apiToken: s.apiToken as string }));
      } else {
        const s = c.settings as JiraConnectionConfig;
        this.jiras.set(c.id, new JiraClient({ ...base(s.url), email: s.email as string, apiToken: s.apiToken as string }));
        this.jiraUrls.set(c.id, s.url as string);
      }
    }
  }

  helpdesk(vendor: 'freshdesk' | 'zendesk', connectionId: string): HelpdeskClient | undefined {
    return this.helpdesks.get(`${vendor}/${connectionId}`);
  }

  jira(connectionId: string): JiraClientApi | undefined {
    return this.jiras.get(connectionId);
  }

  /** Where a person opens an issue: <site>/browse/<key>. */
  jiraBrowseUrl(connectionId: string, key: string): string {
    return `${this.jiraUrls.get(connectionId) ?? ''}/browse/${key}`;
  }
}
