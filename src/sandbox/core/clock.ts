import type { Express, Request, Response } from 'express';
import { goalMs, parseGoal } from '../../sla/duration';

const DAY_MS = 86_400_000;

/**
 * The time the sandboxes live in: real time plus an offset that only grows, so a demo can let
 * an urgent ticket wait past its one-hour first-response target without waiting an hour.
 * Everything a sandbox stamps (created_at, updated_at, comments, audits, Jira created/updated,
 * SLA due times) reads this clock. Transport does not: webhook signature timestamps, rate-limit
 * windows, retry delays and the call log stay on real time, because the receiver checks them
 * against its own real clock.
 */
export class SandboxClock {
  private offset = 0;

  /** `base` is the clock the offset is added to: real time unless a test freezes it. */
  constructor(private readonly base: () => Date = () => new Date()) {}

  now(): Date {
    return new Date(this.base().getTime() + this.offset);
  }

  /** How far ahead of the base clock the sandboxes are, in ms. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Moves the clock forward by `ms` (0 is allowed and does nothing); never backwards. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`the sandbox clock only moves forward: cannot advance by ${ms} ms`);
    this.offset += ms;
  }

  /** What GET /_sandbox/clock answers. */
  reading(): { now: string; offsetMs: number } {
    return { now: this.now().toISOString(), offsetMs: this.offset };
  }
}

/** A request to move the clock: how far, or why it cannot be honoured. */
export type AdvanceRequest = { ok: true; ms: number } | { ok: false; message: string };

/**
 * Reads `{"advance": "2h"}` (a span as SLA targets are written: "90m", "1d 4h"; a day is 24 h)
 * or `{"advanceMs": 7200000}`. Exactly one of them; negative or malformed values are refused.
 */
export function readAdvance(body: unknown): AdvanceRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: 'expected a JSON object such as {"advance": "2h"} or {"advanceMs": 7200000}' };
  }
  const { advance, advanceMs } = body as { advance?: unknown; advanceMs?: unknown };
  if ((advance === undefined) === (advanceMs === undefined)) {
    return { ok: false, message: 'give exactly one of "advance" (such as "2h", "90m", "1d") and "advanceMs" (a whole number of ms)' };
  }
  if (advanceMs !== undefined) {
    if (typeof advanceMs !== 'number' || !Number.isSafeInteger(advanceMs)) return { ok: false, message: `"advanceMs" must be a whole number of ms, got ${JSON.stringify(advanceMs)}` };
    if (advanceMs < 0) return { ok: false, message: `the sandbox clock only moves forward: "advanceMs" is ${advanceMs}` };
    return { ok: true, ms: advanceMs };
  }
  if (typeof advance !== 'string') return { ok: false, message: `"advance" must be a span such as "2h", "90m" or "1d", got ${JSON.stringify(advance)}` };
  if (advance.trim().startsWith('-')) return { ok: false, message: `the sandbox clock only moves forward: "advance" is ${JSON.stringify(advance)}` };
  const goal = parseGoal(advance);
  if (!goal) return { ok: false, message: `"advance" must be a span such as "2h", "90m", "1d" or "1d 4h", got ${JSON.stringify(advance)}` };
  return { ok: true, ms: goalMs(goal, DAY_MS) };
}

/**
 * GET /_sandbox/clock answers `{now, offsetMs}`; POST /_sandbox/clock moves it forward and
 * answers the same plus `advancedMs`, or 400 `{error, message}`. Like the other /_sandbox/
 * controls these need no credentials and are never counted as vendor calls.
 */
export function mountClockRoutes(app: Express, clock: SandboxClock): void {
  app.get('/_sandbox/clock', (_req: Request, res: Response) => {
    res.json(clock.reading());
  });
  app.post('/_sandbox/clock', (req: Request, res: Response) => {
    const wanted = readAdvance(req.body);
    if (!wanted.ok) {
      res.status(400).json({ error: 'invalid_clock_advance', message: wanted.message, ...clock.reading() });
      return;
    }
    clock.advance(wanted.ms);
    res.json({ ...clock.reading(), advancedMs: wanted.ms });
  });
}
