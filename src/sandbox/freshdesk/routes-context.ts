import type { Response } from 'express';
import type { SandboxApp } from '../core/sandbox-app';
import type { FreshdeskAutomations } from './automations';
import { notFound } from './errors';
import type { RateBudget } from './rate-limit';
import type { FdTicket, FreshdeskState } from './state';

/** What every route module needs: the app to register on, the state, the rules, the budget. */
export interface FreshdeskRoutes {
  http: SandboxApp;
  state: FreshdeskState;
  automations: FreshdeskAutomations;
  budget: RateBudget;
}

export const API = '/api/v2';

/** Each include costs one more credit, which the rate-limit headers of this answer report. */
export function chargeIncludes(routes: FreshdeskRoutes, res: Response, count: number): void {
  if (count === 0) return;
  for (const [k, v] of Object.entries(routes.budget.surcharge(count))) res.setHeader(k, v);
}

export function ticketOr404(state: FreshdeskState, id: number | null): FdTicket {
  const ticket = id === null ? undefined : state.tickets.get(id);
  if (!ticket) throw notFound();
  return ticket;
}
