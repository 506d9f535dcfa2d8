import type { Config } from '../config/schema';
import type { ResolvedConnection } from '../config/load';
import type { FreshdeskConnectionConfig, JiraConnectionConfig, ZendeskConnectionConfig } from '../config/schema';
import type { Logger } from '../logging/logger';
import type { MetricsRecorder } from '../metrics/registry';
import { FreshdeskClient } from '../vendors/freshdesk/client';
import { JiraClient } from '../vendors/jira/client';
import { ZendeskClient } from '../vendors/zendesk/client';
import type { HelpdeskClient, JiraClientApi, VendorClientOptions } from '../vendors/types';
import type { Circuits } from '../vendors/core/circuit';
import type { RetryPolicy } from '../vendors/core/http-client';

/** The clients of every enabled connection, built once and shared by worker and CLI. */
export class VendorClients {
  private readonly helpdesks = new Map<string, HelpdeskClient>();
  private readonly jiras = new Map<string, JiraClientApi>();
  private readonly jiraUrls = new Map<string, string>();
  private readonly groupCache = new Map<string, { at: number; names: Map<string, string> }>();

  /**
   * `metrics` counts every vendor call and Retry-After wait of these clients; `circuits` gives
   * each connection its breaker (none: every call goes out, as in one-off CLI runs).
   */
  constructor(connections: ResolvedConnection[], config: Config, logger: Logger, metrics?: MetricsRecorder, circuits?: Circuits) {
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
        metrics,
        circuit: circuits?.of(c.vendor, c.id),
      });
      if (c.vendor === 'freshdesk') {
        const s = c.settings as FreshdeskConnectionConfig;
        this.helpdesks.set(`freshdesk/${c.id}`, new FreshdeskClient({ ...base(s.url), apiKey: s.apiKey as string, customStatusMap: s.customStatuses }));
      } else if (c.vendor === 'zendesk') {
        const s = c.settings as ZendeskConnectionConfig;
        // Zendesk sends a ticket's SLA policy only when asked: ask where S1 reads the helpdesk's own due times.
        const includeSlas = (config.sla.sources[`zendesk/${c.id}`] ?? config.sla.source) === 'helpdesk';
        this.helpdesks.set(`zendesk/${c.id}`, new ZendeskClient({ ...base(s.url), email: s.email as string, apiToken: s.apiToken as string, includeSlas }));
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

  /**
   * Group names of a helpdesk connection, read once and kept for ten minutes: notes and Jira
   * issues name "App Support" rather than 43000612002, at one call per connection per ten
   * minutes. An error leaves names out rather than failing the event.
   */
  async groupNames(vendor: 'freshdesk' | 'zendesk', connectionId: string, now = Date.now()): Promise<Map<string, string>> {
    const key = `${vendor}/${connectionId}`;
    const cached = this.groupCache.get(key);
    if (cached && now - cached.at < 10 * 60_000) return cached.names;
    const client = this.helpdesk(vendor, connectionId);
    if (!client) return new Map();
    try {
      const names = new Map((await client.listGroups()).map((g) => [g.id, g.name]));
      this.groupCache.set(key, { at: now, names });
      return names;
    } catch {
      return cached?.names ?? new Map();
    }
  }

  /** Where a person opens an issue: <site>/browse/<key>. */
  jiraBrowseUrl(connectionId: string, key: string): string {
    return `${this.jiraUrls.get(connectionId) ?? ''}/browse/${key}`;
  }
}
