import express, { type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallCounter } from './call-counter';
import { mountClockRoutes, SandboxClock } from './clock';
import { documentedRules } from './documented-limits';
import { FaultInjector, type FaultSettings } from './faults';
import { EnforcedRateLimits, retryAfterHeader } from './rate-limiter';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Thrown by a route handler to answer with the vendor's own error shape. */
export class SandboxHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`sandbox answered ${status}`);
  }
}

export interface SandboxAppOptions {
  vendor: 'freshdesk' | 'zendesk' | 'jira';
  /** Who is calling, from the request's credentials; null answers 401 in the vendor's shape. */
  authenticate: (req: Request) => string | null;
  /** The vendor's error body for a status and message. */
  errorBody: (status: number, message: string) => unknown;
  /** Headers the vendor sends on every answer (rate-limit headers, API version). */
  commonHeaders?: () => Record<string, string>;
  /** The clock the sandbox stamps records with (shared by startSandboxes); a fresh one when absent. */
  clock?: SandboxClock;
}

export interface RouteContext {
  req: Request;
  res: Response;
  /** The authenticated caller (agent or integration user id). */
  actor: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An HTTP emulator of one vendor's API. Every route goes through the same steps a real
 * vendor's edge would: authenticate, maybe a configured fault (latency, 429, 5xx), then the
 * handler; each call is counted per endpoint so tests and benchmarks can assert call counts.
 * Sandbox-only controls live under /_sandbox/ (calls, faults, rate-limits, clock).
 */
export class SandboxApp {
  readonly app = express();
  readonly calls = new CallCounter();
  readonly faults = new FaultInjector();
  private server: Server | null = null;
  private baseUrl = '';
  private limits: EnforcedRateLimits | null = null;
  /** The sandbox's time (GET/POST /_sandbox/clock read and move it). */
  readonly clock: SandboxClock;

  constructor(private readonly options: SandboxAppOptions) {
    this.clock = options.clock ?? new SandboxClock();
    this.app.disable('x-powered-by');
    this.app.use(express.json({ limit: '10mb' }));
    mountClockRoutes(this.app, this.clock);
    this.app.get('/_sandbox/calls', (_req, res) => {
      res.json({ total: this.calls.total(), byEndpoint: this.calls.byEndpoint(), faults: this.faults.stats });
    });
    this.app.post('/_sandbox/faults', (req, res) => {
      this.faults.set((req.body ?? {}) as FaultSettings);
      res.json(this.faults.current());
    });
    this.app.delete('/_sandbox/faults', (_req, res) => {
      this.faults.clear();
      res.json(this.faults.current());
    });
    // Opt-in: the vendor's documented limits, enforced with 429 and Retry-After ({"minuteMs": 6000} scales them).
    this.app.post('/_sandbox/rate-limits', (req, res) => {
      const body = (req.body ?? {}) as { minuteMs?: unknown; secondMs?: unknown };
      const ms = (v: unknown) => (typeof v === 'number' && v > 0 ? v : undefined);
      this.enforceRateLimits(new EnforcedRateLimits(documentedRules(this.options.vendor, { minuteMs: ms(body.minuteMs), secondMs: ms(body.secondMs) })));
      res.json(this.limits?.stats() ?? {});
    });
    this.app.get('/_sandbox/rate-limits', (_req, res) => {
      res.json({ enforced: this.limits !== null, rules: this.limits?.stats() ?? {} });
    });
    this.app.delete('/_sandbox/rate-limits', (_req, res) => {
      this.enforceRateLimits(null);
      res.json({ enforced: false });
    });
  }

  /**
   * Enforces rate limits from now on (null turns them off, the default): a call over a budget
   * is answered 429 with Retry-After before any fault or handler runs, as the vendors do.
   */
  enforceRateLimits(limits: EnforcedRateLimits | null): void {
    this.limits = limits;
  }

  get rateLimits(): EnforcedRateLimits | null {
    return this.limits;
  }

  get url(): string {
    return this.baseUrl;
  }

  get vendor(): SandboxAppOptions['vendor'] {
    return this.options.vendor;
  }

  route(method: Method, endpoint: string, handler: (ctx: RouteContext) => unknown | Promise<unknown>): void {
    const register = { GET: this.app.get, POST: this.app.post, PUT: this.app.put, DELETE: this.app.delete }[method].bind(this.app);
    register(endpoint, async (req: Request, res: Response) => {
      const started = Date.now();
      let caller: string | null = null;
      res.on('finish', () => this.calls.record({ method, endpoint, status: res.statusCode, path: req.path, actor: caller, at: started }));
      for (const [k, v] of Object.entries(this.options.commonHeaders?.() ?? {})) res.setHeader(k, v);
      if (this.faults.latencyMs > 0) await sleep(this.faults.latencyMs);
      const actor = this.options.authenticate(req);
      caller = actor;
      if (!actor) {
        res.status(401).json(this.options.errorBody(401, 'Authentication failed'));
        return;
      }
      const limited = this.limits?.admit(method, endpoint);
      if (limited && !limited.allowed) {
        res.setHeader('Retry-After', retryAfterHeader(limited.retryAfterMs));
        res.status(429).json(this.options.errorBody(429, 'Rate limit exceeded'));
        return;
      }
      const fault = this.faults.nextApiFault();
      if (fault?.kind === 'rate_limited') {
        res.setHeader('Retry-After', String(fault.retryAfterSeconds));
        res.status(429).json(this.options.errorBody(429, 'Rate limit exceeded'));
        return;
      }
      if (fault?.kind === 'server_error') {
        res.status(fault.status).json(this.options.errorBody(fault.status, 'Service temporarily unavailable'));
        return;
      }
      try {
        const body = await handler({ req, res, actor });
        if (!res.headersSent) {
          if (body === undefined) res.status(res.statusCode === 200 ? 204 : res.statusCode).end();
          else res.json(body);
        }
      } catch (err) {
        if (err instanceof SandboxHttpError) {
          res.status(err.status).json(err.body);
          return;
        }
        res.status(500).json(this.options.errorBody(500, err instanceof Error ? err.message : 'internal error'));
      }
    });
  }

  /** Answers every unknown path as the vendor would: 404 in its error shape. */
  finish(): void {
    this.app.use((_req, res) => {
      res.status(404).json(this.options.errorBody(404, 'Not found'));
    });
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = await new Promise<Server>((resolve, reject) => {
      const s = this.app.listen(port, host);
      s.once('listening', () => resolve(s));
      s.once('error', reject);
    });
    this.baseUrl = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
