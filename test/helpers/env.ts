/** An environment with all three vendors' default connections enabled, pointing at fake hosts. */
export const SECRETS = {
  freshdeskApiKey: 'fd-api-key-7Hq2LmZx9',
  freshdeskWebhook: 'fd-webhook-secret-Qw81nVb',
  zendeskToken: 'zd-api-token-Ua73KpLe0',
  zendeskWebhook: 'zd-webhook-signing-secret-R4t8Yx',
  jiraToken: 'jira-api-token-ATATT3xFfGF0Zq',
  jiraWebhook: 'jira-webhook-secret-Pz05Mc',
};

export function fullEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    DATABASE_URL: ':memory:',
    LOG_LEVEL: 'silent',
    FRESHDESK_URL: 'https://acme.freshdesk.com',
    FRESHDESK_API_KEY: SECRETS.freshdeskApiKey,
    FRESHDESK_WEBHOOK_SECRET: SECRETS.freshdeskWebhook,
    ZENDESK_URL: 'https://acme.zendesk.com',
    ZENDESK_EMAIL: 'integration@acme.io',
    ZENDESK_API_TOKEN: SECRETS.zendeskToken,
    ZENDESK_WEBHOOK_SECRET: SECRETS.zendeskWebhook,
    JIRA_URL: 'https://acme.atlassian.net',
    JIRA_EMAIL: 'integration@acme.io',
    JIRA_API_TOKEN: SECRETS.jiraToken,
    JIRA_WEBHOOK_SECRET: SECRETS.jiraWebhook,
    JIRA_PROJECT_KEY: 'SUP',
    ...overrides,
  };
}
