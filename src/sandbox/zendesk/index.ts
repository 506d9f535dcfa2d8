import { SandboxClock } from '../core/clock';
import { SandboxApp } from '../core/sandbox-app';
import { WebhookDispatcher } from '../core/webhook-dispatcher';
import { authenticate } from './auth';
import { zendeskErrorBody } from './errors';
import type { TicketChange, ZdAudit, ZdComment, ZdTicket, ZdUser } from './model';
import { registerReadRoutes } from './routes-read';
import { registerTicketRoutes } from './routes-tickets';
import { seedZendesk } from './seed';
import { ZendeskState } from './state';
import { ticketDeliveries, zendeskWebhookTarget } from './webhooks';

export { SEEDED_TICKETS } from './seed';
export { ZENDESK_ACCOUNT_ID, ZENDESK_WEBHOOK_ID } from './webhooks';
export type { TicketChange, ZdAudit, ZdComment, ZdTicket, ZdUser } from './model';
export { ZendeskState } from './state';

export interface ZendeskSandboxOptions {
  /** The base time of the sandbox's own clock (a test's frozen time); ignored when `clock` is given. */
  now?: () => Date;
  /** The clock to stamp records with, shared with the other sandboxes by startSandboxes. */
  clock?: SandboxClock;
  webhookRetryDelayMs?: number;
}

/** Zendesk's published account-wide limit of an Enterprise plan (700 a minute), reported in X-Rate-Limit. */
const RATE_LIMIT_PER_MINUTE = 700;

/**
 * An emulator of the Zendesk Support API v2 as helpdesk-sync and the demo use it, seeded with
 * the people of the Tier 1 / Tier 2 handoff. Agents act through the REST API with their own tokens; every
 * committed change fires the event-subscription webhooks Zendesk would, signed with the
 * secret given to setWebhook.
 */
export class ZendeskSandbox {
  readonly state: ZendeskState;
  readonly http: SandboxApp;
  readonly webhooks: WebhookDispatcher;
  /** Sandbox time: what tickets, comments, audits and SLA due times are stamped with. */
  readonly clock: SandboxClock;
  private readonly now: () => Date;

  constructor(options: ZendeskSandboxOptions = {}) {
    const clock = options.clock ?? new SandboxClock(options.now);
    this.clock = clock;
    this.now = () => clock.now();
    this.state = new ZendeskState(this.now);
    seedZendesk(this.state);
    this.http = new SandboxApp({
      vendor: 'zendesk',
      authenticate: (req) => authenticate(this.state, req),
      errorBody: zendeskErrorBody,
      commonHeaders: () => this.rateLimitHeaders(),
      clock,
    });
    this.webhooks = new WebhookDispatcher({ faults: this.http.faults, retryDelayMs: options.webhookRetryDelayMs });
    const publish = (change: TicketChange) => this.publish(change);
    registerTicketRoutes(this.http, { state: this.state, publish });
    registerReadRoutes(this.http, this.state);
    this.http.finish();
  }

  listen(port = 0): Promise<string> {
    return this.http.listen(port);
  }

  /** Stops serving, then waits for webhooks already queued so none is sent after close. */
  async close(): Promise<void> {
    await this.http.close();
    await this.webhooks.idle();
  }

  /** Deliveries are signed with real time, not sandbox time: the receiver checks the timestamp against its own clock. */
  setWebhook(target: { url: string; secret: string } | null): void {
    this.webhooks.setTarget(target ? zendeskWebhookTarget(target.url, target.secret) : null);
  }

  ticket(id: number): ZdTicket | undefined {
    return this.state.tickets.get(id);
  }

  comments(ticketId: number): readonly ZdComment[] {
    return this.state.comments.get(ticketId) ?? [];
  }

  user(id: number): ZdUser | undefined {
    return this.state.users.get(id);
  }

  audits(ticketId: number): readonly ZdAudit[] {
    return this.state.audits.filter((a) => a.ticketId === ticketId);
  }

  private publish(change: TicketChange): void {
    for (const d of ticketDeliveries(this.state, change)) this.webhooks.emit(d.eventType, `ticket:${change.ticket.id}`, d.body);
  }

  private rateLimitHeaders(): Record<string, string> {
    const since = Date.now() - 60_000;
    const used = this.http.calls.all().filter((c) => c.at >= since).length;
    return { 'X-Rate-Limit': String(RATE_LIMIT_PER_MINUTE), 'X-Rate-Limit-Remaining': String(Math.max(0, RATE_LIMIT_PER_MINUTE - used - 1)) };
  }
}
