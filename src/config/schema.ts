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
  connections: z.object({
    freshdesk: z.array(freshdeskConnectionSchema),
    zendesk: z.array(zendeskConnectionSchema),
    jira: z.array(jiraConnectionSchema),
  }),
});

export type Config = z.infer<typeof configSchema>;
export type FreshdeskConnectionConfig = z.infer<typeof freshdeskConnectionSchema>;
export type ZendeskConnectionConfig = z.infer<typeof zendeskConnectionSchema>;
export type JiraConnectionConfig = z.infer<typeof jiraConnectionSchema>;
