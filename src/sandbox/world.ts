import { SandboxClock } from './core/clock';
import { FreshdeskSandbox } from './freshdesk';
import { JiraSandbox } from './jira';
import { FRESHDESK_AGENTS, JIRA_PROJECT, JIRA_USERS, ZENDESK_AGENTS } from './seed-people';
import { ZendeskSandbox } from './zendesk';

/** Webhook secrets the sandboxes sign with; the environment they print hands them to helpdesk-sync. */
export const SANDBOX_WEBHOOK_SECRETS = {
  freshdesk: 'sandbox-freshdesk-webhook-secret',
  zendesk: 'sandbox-zendesk-signing-secret',
  jira: 'sandbox-jira-webhook-secret',
} as const;

/** The callers helpdesk-sync is at each sandbox, as the sandboxes record them. */
export const INTEGRATION_ACTORS = {
  freshdesk: String(FRESHDESK_AGENTS.integration.id),
  zendesk: String(ZENDESK_AGENTS.integration.id),
  jira: JIRA_USERS.integration.accountId,
} as const;

export interface Sandboxes {
  freshdesk: FreshdeskSandbox;
  zendesk: ZendeskSandbox;
  jira: JiraSandbox;
  /**
   * The one clock of all three sandboxes: what they stamp records with. `clock.advance(ms)` (or
   * POST /_sandbox/clock on any of them) moves all three forward; webhook signatures, rate-limit
   * windows and retries stay on real time.
   */
  clock: SandboxClock;
  urls: { freshdesk: string; zendesk: string; jira: string };
  /** Environment variables that point a helpdesk-sync instance at these sandboxes. */
  env: Record<string, string>;
  /** Sends every sandbox's webhooks to a helpdesk-sync base URL (null stops them). */
  connect(helpdeskSyncUrl: string | null): void;
  /** Resolves once every webhook queued so far has been delivered or given up. */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** First of three consecutive ports (Freshdesk, Zendesk, Jira); 0 picks free ones. */
  portBase?: number;
  webhookRetryDelayMs?: number;
}

/** Starts the three vendor emulators on loopback, seeded with the people of the escalation scenarios (docs/rules.md). */
export async function startSandboxes(options: SandboxOptions = {}): Promise<Sandboxes> {
  const clock = new SandboxClock();
  const shared = { webhookRetryDelayMs: options.webhookRetryDelayMs ?? 200, clock, now: () => clock.now() };
  const freshdesk = new FreshdeskSandbox(shared);
  const zendesk = new ZendeskSandbox(shared);
  const jira = new JiraSandbox(shared);
  const port = (offset: number) => (options.portBase ? options.portBase + offset : 0);
  const urls = {
    freshdesk: await freshdesk.listen(port(0)),
    zendesk: await zendesk.listen(port(1)),
    jira: await jira.listen(port(2)),
  };
  const env = {
    FRESHDESK_URL: urls.freshdesk,
    FRESHDESK_API_KEY: FRESHDESK_AGENTS.integration.apiKey,
    FRESHDESK_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRETS.freshdesk,
    ZENDESK_URL: urls.zendesk,
    ZENDESK_EMAIL: ZENDESK_AGENTS.integration.email,
    ZENDESK_API_TOKEN: ZENDESK_AGENTS.integration.apiKey,
    ZENDESK_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRETS.zendesk,
    JIRA_URL: urls.jira,
    JIRA_EMAIL: JIRA_USERS.integration.email,
    JIRA_API_TOKEN: JIRA_USERS.integration.apiToken,
    JIRA_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRETS.jira,
    JIRA_PROJECT_KEY: JIRA_PROJECT.key,
  };
  return {
    freshdesk,
    zendesk,
    jira,
    clock,
    urls,
    env,
    connect(target) {
      const base = target?.replace(/\/+$/, '');
      freshdesk.setWebhook(base ? { url: `${base}/webhooks/freshdesk`, secret: SANDBOX_WEBHOOK_SECRETS.freshdesk } : null);
      zendesk.setWebhook(base ? { url: `${base}/webhooks/zendesk`, secret: SANDBOX_WEBHOOK_SECRETS.zendesk } : null);
      jira.setWebhook(base ? { url: `${base}/webhooks/jira`, secret: SANDBOX_WEBHOOK_SECRETS.jira } : null);
    },
    async webhooksIdle() {
      await Promise.all([freshdesk.webhooks.idle(), zendesk.webhooks.idle(), jira.webhooks.idle()]);
    },
    async close() {
      await Promise.all([freshdesk.close(), zendesk.close(), jira.close()]);
    },
  };
}
