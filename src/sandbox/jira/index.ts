import { SandboxClock } from '../core/clock';
import { SandboxApp } from '../core/sandbox-app';
import { WebhookDispatcher } from '../core/webhook-dispatcher';
import { JIRA_USERS } from '../seed-people';
import type { JiraContext } from './context';
import { errorBodyForStatus } from './errors';
import { authenticate, BurstHeaders, lenientJsonBodies, rateLimitReasonHeaders } from './http-edges';
import { Representer } from './represent';
import { commentRoutes } from './routes/comments';
import { issueRoutes } from './routes/issues';
import { linkRoutes } from './routes/links';
import { searchRoutes } from './routes/search';
import { transitionRoutes } from './routes/transitions';
import { JiraState, type CommentRecord, type IssueRecord, type RemoteLinkRecord } from './state';
import { JiraWebhooks, signedTarget } from './webhooks';
import { statusById } from './world';

export { JiraState } from './state';
export type { CommentRecord, IssueRecord, RemoteLinkRecord } from './state';
export { STATUSES, TRANSITIONS, ISSUE_TYPES, PRIORITIES, RESOLUTIONS } from './world';

export interface JiraSandboxOptions {
  /** The base time of the sandbox's own clock (a test's frozen time); ignored when `clock` is given. */
  now?: () => Date;
  /** The clock to stamp records with, shared with the other sandboxes by startSandboxes. */
  clock?: SandboxClock;
  webhookRetryDelayMs?: number;
  /** Start with SUP-19 and SUP-20 (seed.ts); true unless a test wants an empty project. */
  seedIssues?: boolean;
}

/**
 * Jira Cloud REST API v3 for project SUP, as helpdesk-sync's JiraClient and the demo's agents
 * use it: issues, comments, the SUP-20 incident's service-desk workflow, remote links, entity properties and JQL
 * search, with Jira's errors, rate-limit headers and signed admin webhooks. Each seeded user
 * of JIRA_USERS calls with their own `email:apiToken` and is the actor of their changes.
 */
export class JiraSandbox {
  readonly http: SandboxApp;
  readonly webhooks: WebhookDispatcher;
  readonly state: JiraState;
  /** Sandbox time: what issues, comments, JQL's relative dates and webhook `timestamp` use. */
  readonly clock: SandboxClock;
  private readonly now: () => Date;

  constructor(options: JiraSandboxOptions = {}) {
    const clock = options.clock ?? new SandboxClock(options.now);
    this.clock = clock;
    this.now = () => clock.now();
    this.state = new JiraState(options.seedIssues ?? true);
    const burst = new BurstHeaders();
    this.http = new SandboxApp({
      vendor: 'jira',
      authenticate: (req) => authenticate(this.state, req),
      errorBody: errorBodyForStatus,
      commonHeaders: () => burst.next(Date.now()),
      clock,
    });
    this.webhooks = new WebhookDispatcher({ faults: this.http.faults, retryDelayMs: options.webhookRetryDelayMs });
    const represent = new Representer(this.state, () => this.http.url);
    const ctx: JiraContext = {
      state: this.state,
      represent,
      webhooks: new JiraWebhooks(this.webhooks, this.state, represent, this.now),
      now: this.now,
    };
    lenientJsonBodies(this.http);
    // The reset time a 429 names is transport: real time, whatever the sandbox clock says.
    rateLimitReasonHeaders(this.http);
    issueRoutes(this.http, ctx);
    commentRoutes(this.http, ctx);
    transitionRoutes(this.http, ctx);
    linkRoutes(this.http, ctx);
    searchRoutes(this.http, ctx);
    this.http.finish();
  }

  /** The Basic credentials of a seeded user, for clients and the demo's agents. */
  static credentials(user: keyof typeof JIRA_USERS): { email: string; apiToken: string } {
    const u = JIRA_USERS[user];
    return { email: u.email, apiToken: u.apiToken };
  }

  get url(): string {
    return this.http.url;
  }

  listen(port = 0): Promise<string> {
    return this.http.listen(port);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** The admin webhook: where Jira posts, and the secret it signs X-Hub-Signature with. */
  setWebhook(target: { url: string; secret: string } | null): void {
    this.webhooks.setTarget(target ? signedTarget(target.url, target.secret) : null);
  }

  issue(idOrKey: string): IssueRecord | undefined {
    return this.state.findIssue(idOrKey);
  }

  comments(idOrKey: string): CommentRecord[] {
    return this.state.findIssue(idOrKey)?.comments ?? [];
  }

  remoteLinks(idOrKey: string): RemoteLinkRecord[] {
    return this.state.findIssue(idOrKey)?.remoteLinks ?? [];
  }

  property(idOrKey: string, key: string): unknown {
    return this.state.findIssue(idOrKey)?.properties.get(key);
  }

  /** The issue's status name ("Work in progress"...), for end-state checks. */
  statusOf(idOrKey: string): string | undefined {
    const issue = this.state.findIssue(idOrKey);
    return issue ? statusById(issue.statusId)?.name : undefined;
  }
}
