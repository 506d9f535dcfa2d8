import type { NextFunction, Request, Response } from 'express';
import { SandboxClock } from '../core/clock';
import { SandboxApp } from '../core/sandbox-app';
import { WebhookDispatcher } from '../core/webhook-dispatcher';
import { FreshdeskAutomations, type FreshdeskWebhookTarget } from './automations';
import { errorBody } from './errors';
import { RateBudget } from './rate-limit';
import { registerConversationRoutes } from './routes-conversations';
import type { FreshdeskRoutes } from './routes-context';
import { registerPeopleRoutes } from './routes-people';
import { registerTicketRoutes } from './routes-tickets';
import { seedState } from './seed';
import type { FdCompany, FdContact, FdConversation, FdTicket, FreshdeskState } from './state';

export { SEEDED_TICKET_IDS } from './seed';
export type { FreshdeskWebhookBody, FreshdeskWebhookTarget } from './automations';
export type { FdAgent, FdCompany, FdContact, FdConversation, FdGroup, FdTicket, FreshdeskState } from './state';

export interface FreshdeskSandboxOptions {
  /** The base time of the sandbox's own clock (a test's frozen time); ignored when `clock` is given. */
  now?: () => Date;
  /** The clock to stamp records with, shared with the other sandboxes by startSandboxes. */
  clock?: SandboxClock;
  webhookRetryDelayMs?: number;
}

/** Answered on every call, as Freshdesk does. */
const API_VERSION_HEADER = { 'X-Freshdesk-API-Version': 'latest=v2; requested=v2' };

/**
 * An emulator of the Freshdesk API v2 that helpdesk-sync's FreshdeskClient and the demo use,
 * authenticated per agent by API key (the caller is the actor), with the two automation rules
 * of the README firing a webhook after each committed change. Served under /api/v2:
 *
 *   POST /tickets                      GET /tickets/:id/conversations
 *   GET  /tickets                      POST /tickets/:id/notes
 *   GET  /tickets/:id                  POST /tickets/:id/reply
 *   PUT  /tickets/:id                  GET /agents, /agents/me, /agents/:id
 *   GET  /contacts, /contacts/:id      GET /companies, /companies/:id
 *   GET  /groups, /groups/:id
 */
export class FreshdeskSandbox {
  readonly http: SandboxApp;
  readonly webhooks: WebhookDispatcher;
  readonly state: FreshdeskState;
  /** Sandbox time: what tickets, conversations and due dates are stamped with. */
  readonly clock: SandboxClock;
  private readonly automations: FreshdeskAutomations;

  constructor(options: FreshdeskSandboxOptions = {}) {
    const clock = options.clock ?? new SandboxClock(options.now);
    this.clock = clock;
    this.state = seedState(() => clock.now());
    // The rate-limit minute runs on the real clock: neither a frozen test clock nor an advanced
    // sandbox clock may move it.
    const budget = new RateBudget();
    const vendorHeaders = () => ({ ...budget.spend(), ...API_VERSION_HEADER });
    this.http = new SandboxApp({
      vendor: 'freshdesk',
      authenticate: (req) => this.authenticate(req),
      errorBody,
      commonHeaders: vendorHeaders,
      clock,
    });
    this.webhooks = new WebhookDispatcher({ faults: this.http.faults, retryDelayMs: options.webhookRetryDelayMs });
    this.automations = new FreshdeskAutomations(this.state, this.webhooks, () => this.http.url);
    const routes: FreshdeskRoutes = { http: this.http, state: this.state, automations: this.automations, budget };
    registerTicketRoutes(routes);
    registerConversationRoutes(routes);
    registerPeopleRoutes(routes);
    // Unknown paths and unreadable bodies never reach a route; they are still Freshdesk answers.
    this.http.app.use((_req: Request, res: Response, next: NextFunction) => {
      res.set(vendorHeaders());
      next();
    });
    this.http.finish();
    this.http.app.use(malformedJson(vendorHeaders));
  }

  listen(port = 0): Promise<string> {
    return this.http.listen(port);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** Where the automation rules send their webhooks, with the shared secret in X-Webhook-Secret. */
  setWebhook(target: FreshdeskWebhookTarget | null): void {
    this.automations.setTarget(target);
  }

  ticket(id: number): FdTicket | undefined {
    return this.state.tickets.get(id);
  }

  conversations(ticketId: number): readonly FdConversation[] {
    return this.state.conversations.get(ticketId) ?? [];
  }

  contact(id: number): FdContact | undefined {
    return this.state.contacts.get(id);
  }

  contactByEmail(email: string): FdContact | undefined {
    return this.state.contactByEmail(email);
  }

  company(id: number): FdCompany | undefined {
    return this.state.companies.get(id);
  }

  /** Basic auth with an agent's API key as the username; the password is ignored, as at Freshdesk. */
  private authenticate(req: Request): string | null {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!match?.[1]) return null;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const apiKey = colon < 0 ? decoded : decoded.slice(0, colon);
    const agent = this.state.agentByApiKey(apiKey);
    return agent ? String(agent.id) : null;
  }
}

/** express.json's parse failures, answered in Freshdesk's words rather than as an HTML page. */
function malformedJson(vendorHeaders: () => Record<string, string>) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    res.set(vendorHeaders());
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status === 400) {
      res.status(400).json({ code: 'invalid_json', message: 'Request body has invalid json format' });
      return;
    }
    res.status(status).json(errorBody(status, 'the request could not be read'));
  };
}
