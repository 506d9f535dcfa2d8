import type { NextFunction, Request, Response } from 'express';
import type { SandboxApp } from '../core/sandbox-app';
import { jiraErrorBody } from './errors';
import type { JiraState } from './state';

/**
 * The parts of Jira's HTTP edge that sit around every route: who is calling, the rate-limit
 * headers, and request bodies that are valid JSON without being an object.
 */

/** Basic `email:apiToken` of a seeded user; anything else (Bearer, a wrong token) is nobody. */
export function authenticate(state: JiraState, req: Request): string | null {
  const header = req.headers.authorization;
  const match = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!match) return null;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const email = decoded.slice(0, colon);
  const token = decoded.slice(colon + 1);
  return state.users.find((u) => u.email === email && u.apiToken === token)?.accountId ?? null;
}

const BURST_LIMIT = 100;

/** Jira Cloud's per-second burst budget, counted only to fill its X-RateLimit-* headers. */
export class BurstHeaders {
  private windowStart = 0;
  private used = 0;

  next(nowMs: number): Record<string, string> {
    if (nowMs - this.windowStart >= 1000) {
      this.windowStart = nowMs;
      this.used = 0;
    }
    this.used += 1;
    const remaining = Math.max(0, BURST_LIMIT - this.used);
    return {
      'X-RateLimit-Limit': String(BURST_LIMIT),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-NearLimit': String(remaining < BURST_LIMIT * 0.2),
    };
  }
}

/**
 * A 429 from Jira says why and when the budget resets. The shared core decides the 429 after
 * the common headers are set, so the reason is added at the moment the status line is written.
 * The reset time is transport (a client waits for it), so real time, not the sandbox clock.
 */
export function rateLimitReasonHeaders(http: SandboxApp, now: () => Date = () => new Date()): void {
  http.app.use((_req: Request, res: Response, next: NextFunction) => {
    const writeHead = res.writeHead;
    res.writeHead = ((...args: Parameters<Response['writeHead']>) => {
      if (args[0] === 429 && !res.headersSent) {
        const reset = new Date(Math.ceil((now().getTime() + 1000) / 60_000) * 60_000).toISOString().slice(0, 16);
        res.setHeader('RateLimit-Reason', 'jira-burst-based');
        res.setHeader('X-RateLimit-Remaining', '0');
        res.setHeader('X-RateLimit-NearLimit', 'true');
        res.setHeader('X-RateLimit-Reset', `${reset}Z`);
      }
      return writeHead.apply(res, args);
    }) as Response['writeHead'];
    next();
  });
}

/**
 * Jira takes any JSON value as an entity property (a bare string, a number), which the shared
 * core's strict JSON parser refuses. Such bodies are parsed here and the request continues; a
 * body that is not JSON at all gets Jira's 400.
 */
export function lenientJsonBodies(http: SandboxApp): void {
  http.app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: unknown; body?: unknown } | null;
    if (e?.type !== 'entity.parse.failed' || typeof e.body !== 'string') {
      next(err);
      return;
    }
    try {
      req.body = JSON.parse(e.body) as unknown;
      next();
    } catch {
      res.status(400).json(jiraErrorBody(['Unexpected character in the request body: it is not valid JSON.']));
    }
  });
}
