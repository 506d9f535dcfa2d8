import type { SlaHistory, SlaTargetName, TargetClock } from '../domain/sla';
import type { HelpdeskSlaTarget, Ticket } from '../domain/ticket';
import { calendarFor } from './calendar';
import { readClock } from './clock';
import { goalsFor, type ConnectionSla } from './settings';

/**
 * S1: each target's reading now, from our own clock or, where the connection's SLA source is the
 * helpdesk, from the due times the helpdesk's own SLA policy put on the ticket. Pure.
 */
export function readTargets(history: SlaHistory, ticket: Ticket, settings: ConnectionSla, clockNow: Date): { targets: TargetClock[]; calendar: string | null } {
  // The vendor's clock may run a little ahead of ours: a reply it stamped a second "after" now
  // has still happened, so the reading is taken no earlier than the newest fact it rests on.
  const now = new Date(Math.max(clockNow.getTime(), ...[history.firstResponseAt, history.statuses[history.statuses.length - 1]?.at].filter((t): t is string => !!t).map((t) => Date.parse(t))));
  if (settings.source === 'helpdesk') return { targets: helpdeskTargets(history, ticket, settings, now), calendar: null };
  const calendar = calendarFor(settings.calendar?.config, settings.calendar?.name ?? null);
  const targets = readClock({ history, goals: goalsFor(settings, history.priority), calendar, pauseStatuses: settings.pauseStatuses, now });
  return { targets, calendar: calendar.name };
}

/** When the ticket last moved into resolved or closed, while it is there. */
export function resolvedAt(history: SlaHistory): string | null {
  const last = history.statuses[history.statuses.length - 1];
  if (!last || (last.status !== 'resolved' && last.status !== 'closed')) return null;
  let at = last.at;
  for (let i = history.statuses.length - 1; i >= 0; i -= 1) {
    const s = history.statuses[i] as SlaHistory['statuses'][number];
    if (s.status !== 'resolved' && s.status !== 'closed') break;
    at = s.at;
  }
  return at;
}

/**
 * The helpdesk's due times, judged by our own record of when each target was met: Freshdesk
 * says nothing about stages, Zendesk says achieved or paused. A target the helpdesk gives no
 * due time for has none here either.
 */
function helpdeskTargets(history: SlaHistory, ticket: Ticket, settings: ConnectionSla, now: Date): TargetClock[] {
  const out: TargetClock[] = [];
  const sla = ticket.helpdeskSla;
  const pairs: Array<[SlaTargetName, HelpdeskSlaTarget | null | undefined, string | null]> = [
    ['first_response', sla?.firstResponse, history.firstResponseAt],
    ['resolution', sla?.resolution, resolvedAt(history)],
  ];
  const current = history.statuses[history.statuses.length - 1]?.status ?? ticket.status;
  for (const [target, given, metAt] of pairs) {
    if (!given || (!given.dueAt && given.stage !== 'paused' && given.stage !== 'achieved')) continue;
    const due = given.dueAt ? Date.parse(given.dueAt) : null;
    const until = metAt ? Date.parse(metAt) : now.getTime();
    const base = {
      target,
      source: 'helpdesk' as const,
      goal: null,
      elapsedMs: Math.max(0, until - Date.parse(history.createdAt)),
      remainingMs: due === null ? 0 : due - until,
      dueAt: given.dueAt,
      breachedAt: null,
      metAt,
    };
    const achieved = given.stage === 'achieved' || metAt !== null;
    if (achieved) {
      const late = due !== null && metAt !== null && Date.parse(metAt) > due;
      out.push({ ...base, stage: late ? 'met_late' : 'met', breachedAt: late ? given.dueAt : null });
    } else if (given.stage === 'paused' || (given.stage === null && settings.pauseStatuses.includes(current))) {
      out.push({ ...base, stage: 'paused', dueAt: null });
    } else if (due !== null && due <= now.getTime()) {
      out.push({ ...base, stage: 'breached', breachedAt: given.dueAt });
    } else out.push({ ...base, stage: 'running' });
  }
  return out;
}
