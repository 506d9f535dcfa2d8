import { z } from 'zod';

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'expected a base URL such as https://acme.zendesk.com')
  .transform((v) => v.replace(/\/+$/, ''));

/** Empty strings (an unset ${VAR}) count as absent, so the connection is disabled, not broken. */
const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
  .refine((v) => v === undefined || v.length >= 8, 'expected a secret of at least 8 characters');

const optionalUrl = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
  .pipe(httpUrl.optional());

const connectionId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected lower-case letters, digits, - or _ (for example partner-b)');

const webhookPath = z
  .string()
  .regex(/^\/[A-Za-z0-9/_-]+$/, 'expected a path such as /webhooks/zendesk/partner-b')
  .optional();

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const freshdeskConnectionSchema = z.object({
  id: connectionId,
  url: optionalUrl,
  apiKey: optionalSecret,
  webhookSecret: optionalSecret,
  webhookPath,
  /** Freshdesk custom status numbers (>= 6) mapped to canonical statuses. */
  customStatuses: z.record(z.string(), z.enum(['open', 'pending', 'in_progress', 'on_hold', 'resolved', 'closed'])).default({}),
});

export const zendeskConnectionSchema = z.object({
  id: connectionId,
  url: optionalUrl,
  email: optionalText.pipe(z.email('expected the email address of the API user').optional()),
  apiToken: optionalSecret,
  webhookSecret: optionalSecret,
  webhookPath,
});

export const jiraConnectionSchema = z.object({
  id: connectionId,
  url: optionalUrl,
  email: optionalText.pipe(z.email('expected the Atlassian account email of the API user').optional()),
  apiToken: optionalSecret,
  webhookSecret: optionalSecret,
  webhookPath,
  projectKey: optionalText.pipe(
    z.string().regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'expected a Jira project key such as SUP').optional(),
  ),
});

const wholeNumber = () => z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number');
const positiveInt = wholeNumber().positive('expected a number above 0');

const sectionFieldNames = z
  .object({
    steps: z.string().optional(),
    impact: z.string().optional(),
    environment: z.string().optional(),
  })
  .default({});

/** Rules J1-J5: which tickets raise a Jira issue, and what the issue carries. */
export const jiraIssuesSchema = z.object({
  enabled: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]),
  /** The Jira connection issues are raised in; its projectKey (JIRA_PROJECT_KEY) is the project. */
  jiraConnection: connectionId,
  triggers: z.object({
    bugTags: z.array(z.string()),
    requestTags: z.array(z.string()),
    /** A custom field whose value decides: {field: 'cf_escalation', bugValues: ['Bug'], requestValues: ['Feature']}. */
    customField: z
      .object({ field: z.string().min(1), bugValues: z.array(z.string()), requestValues: z.array(z.string()) })
      .nullable()
      .default(null),
    /** Tickets in these groups raise an issue (ids as strings). */
    bugGroups: z.array(z.string()).default([]),
    requestGroups: z.array(z.string()).default([]),
  }),
  bugIssueType: z.string().min(1),
  requestIssueType: z.string().min(1),
  labels: z.array(z.string()),
  copyTicketTags: z.boolean(),
  priorityMap: z.object({ urgent: z.string(), high: z.string(), normal: z.string(), low: z.string() }),
  /** Where the Jira key is kept on the ticket (J4): a tag `<prefix>KEY`, or a custom field. */
  keyStorage: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('tag'), prefix: z.string().min(1) }),
    z.object({ kind: z.literal('customField'), field: z.string().min(1) }),
  ]),
  /** Custom fields holding steps, impact and environment, per helpdesk (J2); headed sections are the fallback. */
  sectionFields: z.object({ freshdesk: sectionFieldNames, zendesk: sectionFieldNames }),
  needsInfoLabel: z.string().min(1),
  communication: z.object({
    /** Longer threads keep the first and the latest messages and say how many were left out. */
    maxMessages: positiveInt,
    maxMessageChars: positiveInt,
    maxDescriptionChars: positiveInt,
  }),
  /**
   * After a create call whose outcome is unknown (timeout, 5xx), how long to keep looking the
   * issue up before creating again: Jira's search is eventually consistent.
   */
  createSettleSeconds: wholeNumber().min(0),
});

export const configSchema = z.object({
  server: z.object({
    port: wholeNumber().min(0, 'expected a port from 0 to 65535').max(65535, 'expected a port from 0 to 65535'),
    bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 512kb or 1mb'),
  }),
  log: z.object({
    level: z.enum(['silent', 'error', 'warn', 'info', 'http', 'verbose', 'debug']),
    format: z.enum(['json', 'pretty']).optional(),
  }),
  database: z.object({
    url: z.string().min(1, 'expected a SQLite file path, sqlite:<path>, or :memory:'),
  }),
  worker: z.object({
    enabled: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]),
    concurrency: positiveInt.max(64),
    pollIntervalMs: positiveInt,
    maxAttempts: positiveInt.max(100),
    backoffBaseMs: positiveInt,
    backoffMaxMs: positiveInt,
    leaseMs: positiveInt,
  }),
  vendorHttp: z.object({
    timeoutMs: positiveInt,
    retries: wholeNumber().min(0).max(10),
    minRetryDelayMs: wholeNumber().min(0),
    maxRetryDelayMs: wholeNumber().min(0),
    maxRetryAfterMs: wholeNumber().min(0),
  }),
  webhooks: z.object({
    zendeskMaxSkewSeconds: positiveInt,
    contentDedupeWindowMinutes: positiveInt,
  }),
  jiraIssues: jiraIssuesSchema,
  connections: z.object({
    freshdesk: z.array(freshdeskConnectionSchema),
    zendesk: z.array(zendeskConnectionSchema),
    jira: z.array(jiraConnectionSchema),
  }),
});

export type Config = z.infer<typeof configSchema>;
export type JiraIssuesConfig = z.infer<typeof jiraIssuesSchema>;
export type FreshdeskConnectionConfig = z.infer<typeof freshdeskConnectionSchema>;
export type ZendeskConnectionConfig = z.infer<typeof zendeskConnectionSchema>;
export type JiraConnectionConfig = z.infer<typeof jiraConnectionSchema>;
