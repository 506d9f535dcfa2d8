import type { Goal } from '../domain/sla';

const PART = /(\d+)\s*(d|h|m)/gy;

/**
 * A target's length as support teams write it: `1h`, `4h`, `3d`, `1d 4h`, `90m` (days, hours,
 * minutes, in that order, each at most once). Null when the text is not one.
 */
export function parseGoal(text: string): Goal | null {
  const trimmed = text.trim().toLowerCase();
  if (!trimmed) return null;
  let days = 0;
  let minutes = 0;
  const seen: string[] = [];
  let at = 0;
  PART.lastIndex = 0;
  while (at < trimmed.length) {
    while (/\s/.test(trimmed[at] ?? '')) at += 1;
    if (at >= trimmed.length) break;
    PART.lastIndex = at;
    const m = PART.exec(trimmed);
    if (!m) return null;
    const [, amount, unit] = m as unknown as [string, string, 'd' | 'h' | 'm'];
    // Units in order, each once: "4h 1d" or "1h 2h" is a typo, not a target.
    if (seen.includes(unit) || (seen.length && 'dhm'.indexOf(unit) < 'dhm'.indexOf(seen[seen.length - 1] as string))) return null;
    seen.push(unit);
    const n = Number(amount);
    // A number too large to count in exact milliseconds is not a target either.
    if (!Number.isSafeInteger(n * (unit === 'd' ? 86_400_000 : unit === 'h' ? 3_600_000 : 60_000))) return null;
    if (unit === 'd') days += n;
    else if (unit === 'h') minutes += n * 60;
    else minutes += n;
    at = PART.lastIndex;
  }
  if (days === 0 && minutes === 0) return null;
  return { text: text.trim(), days, minutes };
}

/** A goal's length in ms when a day is `dayMs` long (24 hours, or a calendar's working day). */
export function goalMs(goal: Goal, dayMs: number): number {
  return goal.days * dayMs + goal.minutes * 60_000;
}

/** 5400000 -> "1h 30m"; for notes and the CLI. Rounded to the minute; the sign is dropped (callers say "late by"). */
export function formatSpan(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m || (!d && !h) ? `${m}m` : ''].filter(Boolean);
  return parts.join(' ');
}
