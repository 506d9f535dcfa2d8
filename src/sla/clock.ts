import type { Goal, SlaHistory, SlaTargetName, StatusSpan, TargetClock, TargetStage } from '../domain/sla';
import type { CanonicalStatus } from '../domain/ticket';
import type { SlaCalendar } from './calendar';
import { goalMs } from './duration';

/**
 * S1: our own service-level clock. A pure function of the ticket's SLA history, the goals, the
 * calendar and `now` (no Date.now(), no I/O), so any reading can be recomputed and compared.
 *
 * What counts, and why:
 *  - Time counts from `history.createdAt`: the customer waits from the moment they asked.
 *  - Only while the status is neither a pause status (waiting on the requester: pending,
 *    on hold by default) nor resolved/closed (nothing left to do), and only during the
 *    calendar's working time: a support team is measured on the time it could have acted.
 *  - Status spans are read defensively: sorted by time (stable, so of two at the same instant
 *    the later listed wins), spans before createdAt clamped to it (the status at creation is the
 *    latest one known by then), spans after `now` ignored (a reading at `now` cannot know them).
 *    If the first span starts after createdAt, its status is taken to hold from createdAt (it
 *    is the earliest we know); with no spans at all the ticket is taken to be open.
 *  - Goals are the ones of the ticket's CURRENT priority (the caller passes them): a priority
 *    change recomputes everything from creation, as Zendesk and Freshdesk do. A ticket open 3h
 *    that goes from normal (8h) to urgent (1h) is breached at once, breachedAt = creation + 1h
 *    of counted time, in the past.
 *  - A goal's `d` is one calendar day: 24 hours round the clock, one working day in business
 *    hours (goalMs(goal, calendar.dayMs)).
 *
 * The targets:
 *  - first_response stops for good at `firstResponseAt` (a reply after `now` is not known yet;
 *    one before creation counts as at creation): met if the counted time then is below the
 *    goal, met_late otherwise. Until then: breached once the counted time reaches the goal,
 *    else running while the current status counts, else paused. A ticket resolved without a
 *    reply is paused (resolved time does not count), or breached if it already ran out.
 *  - resolution is met while the ticket IS resolved/closed, at the moment it last moved into
 *    resolved/closed (resolved -> closed keeps the resolution time); met_late when the goal was
 *    reached before that. A reopen resumes the clock with the time already counted (the time
 *    spent resolved does not count), so a ticket resolved in time and reopened can breach later.
 *
 * The reading (TargetClock):
 *  - elapsedMs: counted time up to now, or up to metAt for met and met_late targets.
 *  - remainingMs: goal minus elapsedMs; negative once breached; for met targets what was left
 *    at metAt.
 *  - breachedAt: the instant the counted time reached the goal, to the millisecond; null if it
 *    never did (by metAt for met targets, by now otherwise).
 *  - dueAt: running: now plus the remaining time on the calendar (outside working hours that is
 *    in the next working period); breached, met_late: breachedAt; met: when it would have
 *    breached had the clock kept running from metAt (shows the margin); paused: null.
 *  - A target whose goal is null (none configured for the priority) is left out of the result.
 *  - Counting forward on a calendar with no working time ahead (every day a holiday for 10
 *    years) throws the calendar's error rather than inventing a due time.
 */
export interface ClockInput {
  history: SlaHistory;
  /** The goals of the ticket's current priority; null: no target. */
  goals: Record<SlaTargetName, Goal | null>;
  calendar: SlaCalendar;
  /** Statuses that stop the clock (sla.pauseStatuses). */
  pauseStatuses: readonly CanonicalStatus[];
  now: Date;
}

const TARGET_ORDER: readonly SlaTargetName[] = ['first_response', 'resolution'];

function isDone(status: CanonicalStatus): boolean {
  return status === 'resolved' || status === 'closed';
}

function parseInstant(text: string, what: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new RangeError(`SLA history: ${what} "${text}" is not a valid instant`);
  return ms;
}

/** A status holding over [from, to). */
interface Segment {
  from: number;
  to: number;
  status: CanonicalStatus;
}

/** The ticket's statuses from createdAt to now as consecutive segments (see the rules above). */
function timeline(createdAt: number, now: number, spans: readonly StatusSpan[]): Segment[] {
  if (now <= createdAt) return [];
  const known = spans
    .map((s, i) => ({ at: Date.parse(s.at), status: s.status, i }))
    .filter((s) => Number.isFinite(s.at) && s.at <= now)
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((s) => ({ at: Math.max(s.at, createdAt), status: s.status }));
  if (!known.length) return [{ from: createdAt, to: now, status: 'open' }];
  (known[0] as { at: number }).at = createdAt;
  const out: Segment[] = [];
  for (let i = 0; i < known.length; i += 1) {
    const s = known[i] as { at: number; status: CanonicalStatus };
    const to = i + 1 < known.length ? (known[i + 1] as { at: number }).at : now;
    // The last status is the current one even when it began this very instant (a ticket read
    // the moment it was solved is solved: its resolution is met, not still running).
    if (to > s.at || i === known.length - 1) out.push({ from: s.at, to, status: s.status });
  }
  return out;
}

/** [from, to) stretches of counting statuses, cut at `until`. */
function countingIntervals(segments: readonly Segment[], counts: (s: CanonicalStatus) => boolean, until: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const seg of segments) {
    if (seg.from >= until) break;
    if (!counts(seg.status)) continue;
    const to = Math.min(seg.to, until);
    const last = out[out.length - 1];
    if (last && last[1] === seg.from) last[1] = to;
    else out.push([seg.from, to]);
  }
  return out;
}

/** Counted time over the intervals, and the instant it reached `goal` (null if it did not). */
function count(calendar: SlaCalendar, intervals: ReadonlyArray<[number, number]>, goal: number, start: number): { elapsed: number; breachedAt: number | null } {
  let elapsed = 0;
  let breachedAt: number | null = goal <= 0 ? start : null;
  for (const [a, b] of intervals) {
    const c = calendar.countedMs(new Date(a), new Date(b));
    if (breachedAt === null && elapsed + c >= goal) breachedAt = calendar.addCounted(new Date(a), goal - elapsed).getTime();
    elapsed += c;
  }
  return { elapsed, breachedAt };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function readClock(input: ClockInput): TargetClock[] {
  const { history, goals, calendar, now: nowDate } = input;
  const createdAt = parseInstant(history.createdAt, 'createdAt');
  const now = nowDate.getTime();
  if (!Number.isFinite(now)) throw new RangeError('readClock: now is not a valid date');
  const paused = new Set<CanonicalStatus>(input.pauseStatuses);
  const counts = (s: CanonicalStatus): boolean => !paused.has(s) && !isDone(s);

  const segments = timeline(createdAt, now, history.statuses);
  const current = segments[segments.length - 1]?.status ?? 'open';

  // When each target stopped, if it did (null: still going at now).
  let responded: number | null = null;
  if (history.firstResponseAt !== null) {
    const at = parseInstant(history.firstResponseAt, 'firstResponseAt');
    if (at <= now) responded = Math.max(at, createdAt);
  }
  let resolved: number | null = null;
  if (isDone(current)) {
    resolved = createdAt;
    for (let i = segments.length - 1; i >= 0; i -= 1) {
      const seg = segments[i] as Segment;
      if (!isDone(seg.status)) break;
      resolved = seg.from;
    }
  }
  const stops: Record<SlaTargetName, number | null> = { first_response: responded, resolution: resolved };

  const out: TargetClock[] = [];
  for (const target of TARGET_ORDER) {
    const goal = goals[target];
    if (!goal) continue;
    const total = goalMs(goal, calendar.dayMs);
    const metAt = stops[target];
    const until = metAt ?? now;
    const { elapsed, breachedAt } = count(calendar, countingIntervals(segments, counts, until), total, createdAt);
    const remaining = total - elapsed;
    let stage: TargetStage;
    let dueAt: number | null;
    if (metAt !== null) {
      stage = breachedAt === null ? 'met' : 'met_late';
      dueAt = breachedAt ?? calendar.addCounted(new Date(metAt), remaining).getTime();
    } else if (breachedAt !== null) {
      stage = 'breached';
      dueAt = breachedAt;
    } else if (counts(current)) {
      stage = 'running';
      dueAt = calendar.addCounted(new Date(Math.max(now, createdAt)), remaining).getTime();
    } else {
      stage = 'paused';
      dueAt = null;
    }
    out.push({
      target,
      source: 'ours',
      goal,
      stage,
      elapsedMs: elapsed,
      remainingMs: remaining,
      dueAt: iso(dueAt),
      breachedAt: iso(breachedAt),
      metAt: iso(metAt),
    });
  }
  return out;
}
