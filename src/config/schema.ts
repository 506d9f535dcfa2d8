import cron from 'node-cron';
import { z } from 'zod';
import { IANAZone } from 'luxon';
import { POLICY_RULE_IDS, type PolicyRuleId } from '../domain/rules';
import type { Goal } from '../domain/sla';
import { parseGoal } from '../sla/duration';

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

/** Ids arrive as YAML numbers or strings; the canonical model keeps them as strings. */
const idValue = z.union([z.string().trim().min(1), z.number().int()]).transform(String);
const idList = z.array(idValue).default([]);

export { POLICY_RULE_IDS, type PolicyRuleId } from '../domain/rules';

/** enforce: correct and note; warn: note and record a violation; off: the rule is not evaluated. */
const ruleMode = z.enum(['enforce', 'warn', 'off']);
export type RuleMode = z.infer<typeof ruleMode>;

const ruleModes = z.object(Object.fromEntries(POLICY_RULE_IDS.map((id) => [id, ruleMode.optional()])) as Record<PolicyRuleId, z.ZodOptional<typeof ruleMode>>);

/**
 * Roles of one helpdesk connection (docs/rules.md, "Roles"). Ids are the vendor's own. Empty
 * lists switch off the rules that need them: ladder rules (E1-E5) need frontline and
 * escalation roles, handoff rules (H1-H6) need tier2Group.
 */
export const connectionRolesSchema = z.object({
  /** Freshdesk CS agents' group(s); in Zendesk each channel partner's Tier 1 group. */
  frontlineGroups: idList,
  frontlineAgents: idList,
  /** App Support (Freshdesk); defaults to tier2Group where that is set (Zendesk). */
  firstEscalationGroup: idValue.nullable().default(null),
  firstEscalationAgents: idList,
  /** The Tier 2 group of a Tier 1 / Tier 2 handoff: setting it enables H1-H6 on this connection. */
  tier2Group: idValue.nullable().default(null),
  managerGroups: idList,
  managerAgents: idList,
  smeGroups: idList,
  smeAgents: idList,
  /** The API user(s) helpdesk-sync writes as: their changes are its own echo (M5). */
  integrationUserIds: idList,
  /** T2: organisations this connection supports, matched by requester email domain. */
  supportedOrganisations: z.array(z.object({ id: idValue, domains: z.array(z.string().trim().toLowerCase()) })).default([]),
  /** Per-rule modes for this connection, over the global ones. */
  modes: ruleModes.default({}),
});

const knowledgeFieldNames = z
  .object({ outcome: z.string().optional(), rootCause: z.string().optional(), missingDocs: z.string().optional() })
  .default({});
const priorityFieldNames = z.object({ impact: z.string().optional(), urgency: z.string().optional() }).default({});
const priorityLevel = z.enum(['P1', 'P2', 'P3', 'P4']);
const canonicalPriority = z.enum(['low', 'normal', 'high', 'urgent']);

const DEFAULT_FREE_MAIL = ['gmail.com', 'googlemail.com', 'hotmail.com', 'outlook.com', 'live.com', 'yahoo.com', 'aol.com', 'icloud.com', 'proton.me', 'protonmail.com', 'gmx.com', 'mail.com'];

/** Rules T1-T4, E1-E5 and H1-H6 (docs/rules.md): the escalation policy engine's settings. */
export const policySchema = z.object({
  /** Keyed by `<vendor>/<connectionId>`, e.g. `zendesk/partner-b`. */
  roles: z.record(z.string().regex(/^(freshdesk|zendesk)\/[a-z0-9][a-z0-9_-]{0,62}$/, 'expected <vendor>/<connection id>, e.g. freshdesk/default'), connectionRolesSchema).default({}),
  modes: ruleModes.default({}),
  freeMailDomains: z.array(z.string().trim().toLowerCase()).default(DEFAULT_FREE_MAIL),
  unverifiedDomainTag: z.string().min(1).default('unverified-requester-domain'),
  unsupportedOrganisationTag: z.string().min(1).default('unsupported-organization'),
  possibleDuplicateTag: z.string().min(1).default('possible-duplicate'),
  complaintTags: z.array(z.string()).default(['complaint']),
  highRiskTags: z.array(z.string()).default(['high-risk']),
  sensitiveTags: z.array(z.string()).default(['sensitive']),
  /** Ticket types that count as a complaint for E2 (case-insensitive). */
  complaintTypes: z.array(z.string()).default([]),
  reviewDoneTag: z.string().min(1).default('review-done'),
  ownershipTransferredTag: z.string().min(1).default('ownership-transferred'),
  /** E3: a consult returns to the owner after this long. */
  consultWindowHours: z.coerce.number().positive().default(48),
  /** T4: earlier tickets of the same requester within this window are compared. */
  duplicateWindowHours: z.coerce.number().positive().default(72),
  /** T4: share of subject words two subjects must have in common (0..1). */
  duplicateSimilarity: z.coerce.number().min(0).max(1).default(0.6),
  /** E5: custom fields holding outcome, root cause and missing documentation, per helpdesk. */
  knowledgeFields: z.object({ freshdesk: knowledgeFieldNames, zendesk: knowledgeFieldNames }).prefault({}),
  /** E5: private-note headings that count when the fields are not used. */
  knowledgeHeadings: z
    .object({
      outcome: z.array(z.string()).default(['Outcome']),
      rootCause: z.array(z.string()).default(['Root cause']),
      missingDocs: z.array(z.string()).default(['Missing documentation', 'Missing docs']),
    })
    .prefault({}),
  /** T3: priority = matrix[impact][urgency], impact and urgency read from custom fields. */
  priorityMatrix: z
    .object({
      fields: z.object({ freshdesk: priorityFieldNames, zendesk: priorityFieldNames }).prefault({}),
      matrix: z.record(z.string(), z.record(z.string(), priorityLevel)).default({
        high: { high: 'P1', medium: 'P2', low: 'P3' },
        medium: { high: 'P2', medium: 'P3', low: 'P4' },
        low: { high: 'P3', medium: 'P4', low: 'P4' },
      }),
      /** P1..P4 as canonical priorities; each vendor mapper and jiraIssues.priorityMap take it from there. */
      levels: z.object({ P1: canonicalPriority, P2: canonicalPriority, P3: canonicalPriority, P4: canonicalPriority }).default({ P1: 'urgent', P2: 'high', P3: 'normal', P4: 'low' }),
    })
    .prefault({}),
});

const canonicalStatus = z.enum(['open', 'pending', 'in_progress', 'on_hold', 'resolved', 'closed']);
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/**
 * Rules M1-M6: what flows between a ticket and its Jira issue once they are linked. Status
 * names are Jira's own; they are matched case-insensitively.
 */
export const mirrorSchema = z.object({
  enabled: bool.default(true),
  /**
   * M2: a Jira status (by name) to the linked ticket's status, per helpdesk connection
   * (`<vendor>/<id>`), over the defaults for the canonical statuses. A status not listed
   * gets its note but leaves the ticket's status alone.
   */
  statusMap: z
    .record(z.string().regex(/^(freshdesk|zendesk)\/[a-z0-9][a-z0-9_-]{0,62}$/, 'expected <vendor>/<connection id>, e.g. zendesk/default'), z.record(z.string(), canonicalStatus))
    .default({}),
  /** M2: Jira statuses (by name, or by status category key `done`) that return the ticket to its owner. */
  doneStatuses: z.array(z.string()).default(['Done', 'Resolved', 'Completed', 'Closed']),
  /** M2: also resolve the ticket for the owner when Jira is done (off: open, ready to confirm). */
  resolveTicketOnDone: bool.default(false),
  /** M4: a reopened ticket moves its issue to the first of these a transition leads to. */
  reopenStatuses: z.array(z.string().min(1)).min(1).default(['Work in progress', 'In Progress']),
  /** Which side owns each field when both changed; the losing write is recorded, not applied. */
  ownership: z
    .object({
      status: z.enum(['jira', 'helpdesk']).default('jira'),
      priority: z.enum(['jira', 'helpdesk']).default('helpdesk'),
    })
    .prefault({}),
  /** M3: mirror private notes too (public replies always go). */
  mirrorPrivateNotes: bool.default(true),
  /** M5: Jira account ids helpdesk-sync writes as; their comments and changes are our own echo. */
  jiraIntegrationAccountIds: idList,
});

/** The scheduled sync jobs (M6). */
export const jobsSchema = z.object({
  /** A job's lock expires after this long, so a dead holder frees it. */
  lockTtlSeconds: positiveInt.default(600),
  /** Polls re-read this far back: Jira search and Zendesk's export lag behind writes. */
  pollOverlapSeconds: wholeNumber().min(0).default(120),
  /** Where the first poll of a connection starts, counted back from now. */
  firstPollLookbackMinutes: positiveInt.default(60),
  /** Backfill stops queueing while this many of its events wait, so live events go first. */
  backfillMaxPending: positiveInt.default(500),
});

const goal = z
  .string()
  .transform((v, ctx) => {
    const g = parseGoal(v);
    if (!g) ctx.addIssue({ code: 'custom', message: 'expected a duration such as 30m, 1h, 4h, 3d or 1d 4h' });
    return g as Goal;
  });
const priorityTargets = z.object({ firstResponse: goal, resolution: goal });
const targetsByPriority = z.object({ urgent: priorityTargets, high: priorityTargets, normal: priorityTargets, low: priorityTargets });
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const hoursSpan = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected working hours such as 09:00-17:00')
  .refine((v) => {
    const [a, b] = v.split('-') as [string, string];
    return a < b;
  }, 'expected the end of the working hours after their start');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date such as 2026-12-25');

/** S1's business hours: the working week of one connection, in its own time zone. */
export const calendarSchema = z.object({
  timeZone: z.string().refine((v) => IANAZone.isValidZone(v), 'expected an IANA time zone such as Europe/Berlin or America/New_York'),
  workingDays: z.array(z.enum(WEEKDAYS)).min(1, 'expected at least one working day').default(['mon', 'tue', 'wed', 'thu', 'fri']),
  /** One span or several (a lunch break): 09:00-17:00, or [09:00-12:30, 13:30-17:00]. */
  hours: z
    .union([hoursSpan, z.array(hoursSpan).min(1)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .refine((spans) => [...spans].sort().every((s, i, all) => i === 0 || (all[i - 1] as string).split('-')[1]! <= s.split('-')[0]!), 'expected working-hour spans that do not overlap')
    .default(['09:00-17:00']),
  holidays: z.array(isoDate).default([]),
});

const DEFAULT_TARGETS = {
  urgent: { firstResponse: '1h', resolution: '4h' },
  high: { firstResponse: '4h', resolution: '1d' },
  normal: { firstResponse: '8h', resolution: '3d' },
  low: { firstResponse: '1d', resolution: '5d' },
};

/** Service levels (rules S1-S3). Connection keys are `<vendor>/<connection id>`; `default` applies to the rest. */
export const slaSchema = z.object({
  enabled: bool.default(true),
  /** S1: `ours` counts the targets below; `helpdesk` takes the helpdesk's own SLA due times (Freshdesk fr_due_by/due_by, Zendesk slas). */
  source: z.enum(['ours', 'helpdesk']).default('ours'),
  /** Per connection: `freshdesk/default: helpdesk`. */
  sources: z.record(z.string(), z.enum(['ours', 'helpdesk'])).default({}),
  /** S1: per connection, per priority. A connection without its own uses `default`. */
  targets: z.record(z.string(), targetsByPriority).prefault({ default: DEFAULT_TARGETS }),
  /** Targets of a ticket without a priority. */
  noPriority: canonicalPriority.default('normal'),
  /** S1: business hours per connection (or `default`); without one, time counts round the clock. */
  calendars: z.record(z.string(), calendarSchema).default({}),
  /** Time stops while the ticket waits on the requester. */
  pauseStatuses: z.array(canonicalStatus).default(['pending', 'on_hold']),
  /** S2: what a breach does, once per ticket and target: a private note, this tag, and the manager group. */
  escalation: z
    .object({
      tag: z.string().trim().min(1).default('sla-breached'),
      /** Reassign to the connection's first manager group (policy.roles). */
      reassignToManager: bool.default(true),
    })
    .prefault({}),
  /** S3: per Jira priority name, how long a linked bug may stay open (counted from the issue's creation). */
  jiraFixTargets: z.record(z.string(), goal).prefault({ Highest: '2d', High: '5d', Medium: '15d', Low: '30d' }),
  fixOverdueLabel: z.string().trim().min(1).default('fix-overdue'),
});

const cronExpression = z.string().refine((v) => cron.validate(v), 'expected a cron expression such as */15 * * * *');

export const configSchema = z.object({
  server: z.object({
    port: wholeNumber().min(0, 'expected a port from 0 to 65535').max(65535, 'expected a port from 0 to 65535'),
    bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 512kb or 1mb'),
    /** Deepest nesting of objects and arrays a webhook body may have; deeper ones get 413. */
    maxJsonDepth: wholeNumber().min(8, 'expected at least 8 (vendors nest some 5-30 levels)').max(1000, 'expected at most 1000').default(128),
    /** GET /metrics asks for `Authorization: Bearer <token>` when set (env METRICS_TOKEN); open when unset. */
    metricsToken: optionalSecret,
  }),
  log: z.object({
    level: z.enum(['silent', 'error', 'warn', 'info', 'http', 'verbose', 'debug']),
    format: z.enum(['json', 'pretty']).optional(),
  }),
  database: z.object({
    url: z.string().min(1, 'expected a SQLite file path, sqlite:<path>, or :memory:'),
    /** PostgreSQL only: the schema pg-boss keeps its queues in. */
    jobSchema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'expected a PostgreSQL schema name (letters, digits, _)').default('pgboss'),
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
    /** Per connection: failures in a row that open its circuit, and the probe gaps after. */
    circuit: z.object({
      failureThreshold: positiveInt,
      probeBaseMs: positiveInt,
      probeMaxMs: positiveInt,
      authProbeMs: positiveInt,
    }),
  }),
  webhooks: z.object({
    zendeskMaxSkewSeconds: positiveInt,
    contentDedupeWindowMinutes: positiveInt,
  }),
  jiraIssues: jiraIssuesSchema,
  /** node-cron schedules of the jobs the server runs (each also runnable once from the CLI). */
  schedules: z.object({
    /** E3: tickets whose consult window ran out go back to their owner. */
    consultSweep: cronExpression,
    /** M6: incremental changes of every connection, from stored cursors. */
    poll: cronExpression.default('* * * * *'),
    /** M6: every linked pair compared on both sides; drift repaired or reported. */
    reconcile: cronExpression.default('0 * * * *'),
    /** S2/S3: open tickets past a target, and linked bugs past their fix target. */
    sla: cronExpression.default('*/5 * * * *'),
  }),
  jobs: jobsSchema.prefault({}),
  mirror: mirrorSchema.prefault({}),
  policy: policySchema.prefault({}),
  sla: slaSchema.prefault({}),
  /** The CS leads' audit (A1): its HTTP routes and page. */
  audit: z
    .object({
      /**
       * Bearer token the audit's routes ask for (env AUDIT_TOKEN). Unset, they answer 503:
       * the audit shows every escalated ticket, so it is never open by default.
       */
      token: optionalSecret,
      /** A raise still under way after this long is reported as stuck (J1). */
      stuckRaiseMinutes: positiveInt.default(15),
    })
    .prefault({}),
  connections: z.object({
    freshdesk: z.array(freshdeskConnectionSchema),
    zendesk: z.array(zendeskConnectionSchema),
    jira: z.array(jiraConnectionSchema),
  }),
});

export type Config = z.infer<typeof configSchema>;
export type JiraIssuesConfig = z.infer<typeof jiraIssuesSchema>;
export type PolicyConfig = z.infer<typeof policySchema>;
export type MirrorConfig = z.infer<typeof mirrorSchema>;
export type JobsConfig = z.infer<typeof jobsSchema>;
export type SlaConfig = z.infer<typeof slaSchema>;
export type CalendarConfig = z.infer<typeof calendarSchema>;
export type PriorityTargets = z.infer<typeof priorityTargets>;
export type ConnectionRolesConfig = z.infer<typeof connectionRolesSchema>;
export type FreshdeskConnectionConfig = z.infer<typeof freshdeskConnectionSchema>;
export type ZendeskConnectionConfig = z.infer<typeof zendeskConnectionSchema>;
export type JiraConnectionConfig = z.infer<typeof jiraConnectionSchema>;
