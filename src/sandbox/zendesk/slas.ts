import type { ZdPriority, ZdStatus, ZdTicket } from './model';
import { isoSeconds, type ZendeskState } from './state';

/**
 * The sandbox account's one SLA policy, side-loaded by `GET /tickets/{id}.json?include=slas` as
 * `ticket.slas.policy_metrics[]`: per priority, a first reply time and an
 * agent work time target in calendar minutes, round the clock.
 *
 *   priority  first_reply_time  agent_work_time
 *   urgent    60 (1h)           240 (4h)
 *   high      240 (4h)          1440 (1d)
 *   normal    480 (8h)          4320 (3d)
 *   low       1440 (1d)         7200 (5d)
 *
 * Each metric is `achieved` once fulfilled (first reply: a public comment by an agent after the
 * ticket's first comment, or the ticket solved; agent work: the ticket solved or closed), with
 * `breach_at` kept at the target it had, as live Zendesk answers show for achieved metrics;
 * `paused` with `breach_at: null` while the ticket is pending or on hold; else `active` with
 * `breach_at` = created_at + target + the time already spent paused. Like Zendesk, a summary of
 * the time left (negative once past) comes as one of `minutes`, `hours` or `days`.
 *
 * What it simplifies: one policy for every ticket that has a priority (none without one, as in
 * Zendesk), no business hours, no next_reply_time / requester_wait_time / periodic update
 * metrics, and both metrics pause on pending and on-hold (Zendesk pauses agent work time there
 * but not reply times). A priority change re-targets from created_at.
 */

export const SLA_POLICY_MINUTES: Readonly<Record<ZdPriority, { firstReplyTime: number; agentWorkTime: number }>> = {
  urgent: { firstReplyTime: 60, agentWorkTime: 240 },
  high: { firstReplyTime: 240, agentWorkTime: 1440 },
  normal: { firstReplyTime: 480, agentWorkTime: 4320 },
  low: { firstReplyTime: 1440, agentWorkTime: 7200 },
};

const MINUTE = 60_000;
const PAUSING: readonly ZdStatus[] = ['pending', 'hold'];
const DONE: readonly ZdStatus[] = ['solved', 'closed'];

export interface PolicyMetric {
  breach_at: string | null;
  stage: 'active' | 'paused' | 'achieved';
  metric: 'first_reply_time' | 'agent_work_time';
  minutes?: number;
  hours?: number;
  days?: number;
}

/** The ticket's status over time, from its audits' status Create/Change events (ms, oldest first). */
function statusTimeline(state: ZendeskState, ticketId: number): Array<{ at: number; status: ZdStatus }> {
  const out: Array<{ at: number; status: ZdStatus }> = [];
  for (const audit of state.audits) {
    if (audit.ticketId !== ticketId) continue;
    for (const e of audit.events) {
      if (e.type !== 'Comment' && e.change.field === 'status') out.push({ at: Date.parse(audit.createdAt), status: e.change.current as ZdStatus });
    }
  }
  return out;
}

/** Time spent pending or on hold before `until`. */
function pausedMsBefore(timeline: ReadonlyArray<{ at: number; status: ZdStatus }>, until: number): number {
  let total = 0;
  timeline.forEach((step, i) => {
    if (!PAUSING.includes(step.status)) return;
    const end = Math.min(timeline[i + 1]?.at ?? until, until);
    if (end > step.at) total += end - step.at;
  });
  return total;
}

/** When the ticket last became solved or closed, while it is. */
function solvedAt(timeline: ReadonlyArray<{ at: number; status: ZdStatus }>): number | null {
  let at: number | null = null;
  for (const step of timeline) {
    if (DONE.includes(step.status)) at ??= step.at;
    else at = null;
  }
  return at;
}

/** Zendesk's rounded summary of the time left: minutes under an hour, hours under a day, else days. */
function timeLeft(breachMs: number, nowMs: number): Pick<PolicyMetric, 'minutes' | 'hours' | 'days'> {
  const minutes = Math.round((breachMs - nowMs) / MINUTE);
  if (Math.abs(minutes) < 60) return { minutes };
  if (Math.abs(minutes) < 1440) return { hours: Math.round(minutes / 60) };
  return { days: Math.round(minutes / 1440) };
}

/** `ticket.slas` for include=slas: the policy's metrics as they stand now (sandbox time). */
export function ticketSlas(state: ZendeskState, ticket: ZdTicket): { policy_metrics: PolicyMetric[] } {
  if (ticket.priority === null) return { policy_metrics: [] };
  const targets = SLA_POLICY_MINUTES[ticket.priority];
  const now = state.now().getTime();
  const created = Date.parse(ticket.createdAt);
  const timeline = statusTimeline(state, ticket.id);
  const solved = DONE.includes(ticket.status) ? (solvedAt(timeline) ?? Date.parse(ticket.updatedAt)) : null;
  const paused = PAUSING.includes(ticket.status);
  const comments = state.commentsOf(ticket.id);
  const reply = comments.slice(1).find((c) => {
    const author = state.users.get(c.authorId);
    return c.public && author !== undefined && state.isStaff(author);
  });

  const metric = (name: PolicyMetric['metric'], targetMinutes: number, fulfilledAt: number | null): PolicyMetric => {
    if (fulfilledAt === null && paused) return { breach_at: null, stage: 'paused', metric: name };
    const breach = created + targetMinutes * MINUTE + pausedMsBefore(timeline, fulfilledAt ?? now);
    return { breach_at: isoSeconds(new Date(breach)), stage: fulfilledAt === null ? 'active' : 'achieved', metric: name, ...timeLeft(breach, now) };
  };
  const firstReplyAt = reply ? Date.parse(reply.createdAt) : solved;
  return {
    policy_metrics: [metric('first_reply_time', targets.firstReplyTime, firstReplyAt), metric('agent_work_time', targets.agentWorkTime, solved)],
  };
}
