import type { CursorRow } from '../../store/types';

/**
 * The pure parts of the sync jobs (M6): which changed records go into the inbox, where a poll
 * or a backfill starts reading, and how far behind each cursor is. No store, no clock, no
 * vendor: everything arrives as arguments, so the rules are table-tested.
 */

/** A record a vendor reported as changed, reduced to what the decision needs. */
export interface ChangedRecord {
  id: string;
  /** The vendor's updated_at, as the vendor wrote it. */
  updatedAt: string;
  /** Zendesk's export lists deleted tickets too. */
  deleted?: boolean;
  /** Jira's issue key, for the payload and for people reading the inbox. */
  key?: string;
}

/** What the store keeps of the record: its snapshot's updated_at, and whether it is gone. */
export interface KeptState {
  vendorUpdatedAt: string | null;
  deleted: boolean;
}

/**
 * - `changed`: newer than the kept snapshot;
 * - `first-sight`: never seen (the worker treats it as first sight);
 * - `deleted`: gone at the vendor, still alive in our snapshot;
 * - `unchanged`: not newer than the snapshot (a webhook already brought it), or gone and never seen;
 * - `not-ours`: a Jira issue with neither a link nor a snapshot.
 */
export type RecordVerdict = 'changed' | 'first-sight' | 'deleted' | 'unchanged' | 'not-ours';

export const ENQUEUED_VERDICTS: ReadonlySet<RecordVerdict> = new Set(['changed', 'first-sight', 'deleted']);

/** Vendors write the same instant differently (Jira's +0000, Zendesk's Z): compare instants. */
export function isNewer(updatedAt: string, kept: string | null): boolean {
  if (kept === null) return true;
  const a = Date.parse(updatedAt);
  const b = Date.parse(kept);
  if (Number.isNaN(a) || Number.isNaN(b)) return updatedAt !== kept;
  return a > b;
}

/**
 * The one rule behind "a change seen by both a webhook and a poll is processed once" and a
 * cheap idle cycle: a record is queued only when it says something the snapshot does not.
 * `mustBeKnown` is for Jira, where only issues we link to (or have seen) matter.
 */
export function judgeRecord(record: ChangedRecord, kept: KeptState | null, options: { mustBeKnown?: boolean; linked?: boolean } = {}): RecordVerdict {
  if (kept === null) {
    if (options.mustBeKnown && !options.linked) return 'not-ours';
    return record.deleted ? 'unchanged' : 'first-sight';
  }
  if (kept.deleted) return record.deleted ? 'unchanged' : 'changed';
  if (record.deleted) return 'deleted';
  return isNewer(record.updatedAt, kept.vendorUpdatedAt) ? 'changed' : 'unchanged';
}

/** The latest of the instants, kept in the vendor's own spelling; null when there are none. */
export function newestOf(current: string | null, updatedAts: readonly string[]): string | null {
  let best = current;
  for (const u of updatedAts) {
    if (Number.isNaN(Date.parse(u))) continue;
    if (best === null || isNewer(u, best)) best = u;
  }
  return best;
}

/**
 * Where a timestamp poll (Freshdesk, Jira) reads from: the newest change seen, minus the
 * overlap (search and exports lag behind writes); the first poll of a connection looks back.
 */
export function pollSince(cursor: string | null, now: Date, overlapSeconds: number, firstLookbackMinutes: number): Date {
  const at = cursor === null ? Number.NaN : Date.parse(cursor);
  if (Number.isNaN(at)) return new Date(now.getTime() - firstLookbackMinutes * 60_000);
  return new Date(at - overlapSeconds * 1000);
}

/** Zendesk's start_time: Unix seconds. */
export function unixSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

/** ISO 8601 without milliseconds, as Freshdesk documents updated_since. */
export function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A JQL date literal, "yyyy-MM-dd HH:mm", in the API user's time zone (Jira reads literals
 * there) and floored to the minute (JQL has no seconds): never later than `at`.
 */
export function jqlDateTime(at: Date, timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** `project = SUP AND updated >= "2026-01-08 14:00" ORDER BY updated ASC`: bounded, oldest first. */
export function changedIssuesJql(projectKey: string | null, since: Date, timeZone = 'UTC'): string {
  const bound = `updated >= "${jqlDateTime(since, timeZone)}"`;
  return `${projectKey ? `project = ${projectKey} AND ` : ''}${bound} ORDER BY updated ASC`;
}

export const pollCursorName = (vendor: string, connectionId: string): string => `poll:${vendor}:${connectionId}`;
export const backfillCursorName = (vendor: string, connectionId: string): string => `backfill:${vendor}:${connectionId}`;

/**
 * A backfill's place in history, saved after every page: where it started, the newest
 * updated_at it has queued, Zendesk's after_cursor, and whether it reached the present.
 */
export interface BackfillCursor {
  since: string;
  position: string | null;
  after: string | null;
  complete: boolean;
}

export function parseBackfillCursor(value: string | null): BackfillCursor | null {
  if (value === null) return null;
  try {
    const v = JSON.parse(value) as Partial<BackfillCursor>;
    if (typeof v.since !== 'string' || Number.isNaN(Date.parse(v.since))) return null;
    return {
      since: v.since,
      position: typeof v.position === 'string' ? v.position : null,
      after: typeof v.after === 'string' ? v.after : null,
      complete: v.complete === true,
    };
  } catch {
    return null;
  }
}

export function formatBackfillCursor(cursor: BackfillCursor): string {
  return JSON.stringify(cursor);
}

/** Where a resumed backfill reads from: after Zendesk's cursor, else from its position. */
export function backfillStart(cursor: BackfillCursor): { after: string } | { since: Date } {
  if (cursor.after) return { after: cursor.after };
  return { since: new Date(Date.parse(cursor.position ?? cursor.since)) };
}

export interface CursorView {
  name: string;
  kind: 'poll' | 'backfill' | 'other';
  vendor: string | null;
  connectionId: string | null;
  /** The newest change the cursor stands at, where the value says (Zendesk's is opaque). */
  position: string | null;
  complete: boolean | null;
  /**
   * How far behind the present: for a poll, the time since it last reached the end of the
   * changes (its cursor is written on every run); for a backfill, the history still to walk
   * (0 once complete).
   */
  lagMs: number;
  savedAt: Date;
}

export function describeCursor(row: CursorRow, now: Date): CursorView {
  const [kind, vendor, connectionId] = row.name.split(':');
  const savedAgo = Math.max(0, now.getTime() - row.updatedAt.getTime());
  const base = { name: row.name, vendor: vendor ?? null, connectionId: connectionId ?? null, savedAt: row.updatedAt };
  if (kind === 'backfill') {
    const cursor = parseBackfillCursor(row.value);
    const position = cursor?.position ?? cursor?.since ?? null;
    const behind = position ? Math.max(0, now.getTime() - Date.parse(position)) : savedAgo;
    return { ...base, kind: 'backfill', position, complete: cursor?.complete ?? null, lagMs: cursor?.complete ? 0 : behind };
  }
  if (kind === 'poll') {
    const position = Number.isNaN(Date.parse(row.value)) ? null : row.value;
    return { ...base, kind: 'poll', position, complete: null, lagMs: savedAgo };
  }
  return { ...base, kind: 'other', vendor: null, connectionId: null, position: null, complete: null, lagMs: savedAgo };
}

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h": for status lines. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
