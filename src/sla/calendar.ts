import { IANAZone } from 'luxon';
import type { CalendarConfig } from '../config/schema';

/**
 * S1's calendars: which milliseconds count towards a target. Round the clock every one does;
 * in business hours only those inside a connection's working hours, in its own time zone.
 *
 * Pure and deterministic: no Date.now(), no I/O. Instants are epoch milliseconds throughout;
 * every count is an exact whole number of milliseconds, so countedMs and addCounted invert
 * each other exactly (the tests check it as a property).
 */
export interface SlaCalendar {
  /** The calendar's name (the `sla.calendars` key it came from); null for round the clock. */
  name: string | null;
  /** What one `d` of a goal means here: 24 hours, or the length of one working day's spans. */
  dayMs: number;
  /** Counted milliseconds in [from, to); 0 when `to` is not after `from`. */
  countedMs(from: Date, to: Date): number;
  /** The earliest instant t >= from with countedMs(from, t) === ms; `from` itself for 0. */
  addCounted(from: Date, ms: number): Date;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** addCounted gives up after this many days without finding enough working time. */
const SEARCH_LIMIT_DAYS = 3660;
const SEARCH_LIMIT_TEXT = '10 years';
/** Days whose working intervals a calendar keeps (some 50 years); past it, it starts over. */
const DAY_CACHE_LIMIT = 20_000;

function instant(d: Date, what: string): number {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`${what} is not a valid date`);
  return ms;
}

function checkAmount(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`expected a counted time of 0 ms or more, got ${ms}`);
}

/** Every millisecond counts. */
export const ROUND_THE_CLOCK: SlaCalendar = Object.freeze({
  name: null,
  dayMs: DAY,
  countedMs(from: Date, to: Date): number {
    const a = instant(from, 'from');
    const b = instant(to, 'to');
    return b > a ? b - a : 0;
  },
  addCounted(from: Date, ms: number): Date {
    checkAmount(ms);
    return new Date(instant(from, 'from') + ms);
  },
});

// ---------------------------------------------------------------------------------------------
// Wall-clock time in an IANA zone.
//
// Every UTC offset here is luxon's (IANAZone#offset, the IANA database as the runtime's Intl
// knows it); nothing about any zone's rules is written down in this file. What this does
// itself is remember where the offsets change, instead of asking luxon per day:
//  - DateTime.fromObject costs some 25 µs, IANAZone#offset some 7 µs; a two-year-old ticket
//    against 9-5 needs ~3,000 conversions, i.e. tens of ms per reading;
//  - in the repeated hour of a fall-back night DateTime.fromObject picks the occurrence by the
//    offset in force *now* (Settings.now()), which would make the clock's answer depend on the
//    season it runs in. The clock must be a pure function of its inputs.
// ---------------------------------------------------------------------------------------------

/** Offsets are sampled this far apart; a zone changing its offset and back within less is not supported. */
const SAMPLE_STEP = 7 * DAY;
/** Enough for the widest possible offset difference (UTC-12 .. UTC+14), with room to spare. */
const ZONE_MARGIN = 2 * DAY;

/** The offsets of one zone over the range asked about so far, as constant segments. */
class ZoneOffsets {
  /** segment i: offsets[i] (ms, local minus UTC) holds from starts[i] until starts[i + 1]. */
  private readonly starts: number[] = [];
  private readonly offsets: number[] = [];
  /** The range known: [lo, hi], both sample points (multiples of SAMPLE_STEP). */
  private lo = 0;
  private hi = 0;

  constructor(private readonly zone: IANAZone) {}

  private raw(ts: number): number {
    const minutes = this.zone.offset(ts);
    if (!Number.isFinite(minutes)) throw new RangeError(`no UTC offset for ${new Date(ts).toISOString()} in ${this.zone.name}`);
    return Math.round(minutes * MINUTE);
  }

  /** The offset changes in (a, b], from `oa` at a to `ob` at b, found to the second (tzdata's precision). */
  private changesBetween(a: number, oa: number, b: number, ob: number): Array<[number, number]> {
    const found: Array<[number, number]> = [];
    let from = a;
    let current = oa;
    while (current !== ob && found.length < 8) {
      let lo = Math.floor(from / 1000);
      let hi = Math.floor(b / 1000);
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (this.raw(mid * 1000) === current) lo = mid;
        else hi = mid;
      }
      const at = hi * 1000;
      current = this.raw(at);
      found.push([at, current]);
      from = at;
    }
    return found;
  }

  private ensure(from: number, to: number): void {
    if (!this.starts.length) {
      const base = Math.floor(from / SAMPLE_STEP) * SAMPLE_STEP;
      this.lo = base;
      this.hi = base;
      this.starts.push(base);
      this.offsets.push(this.raw(base));
    }
    while (this.lo > from) {
      const a = this.lo - SAMPLE_STEP;
      const oa = this.raw(a);
      const first = this.offsets[0] as number;
      const changes = this.changesBetween(a, oa, this.lo, first);
      // Replace the first segment's start by the earlier ones found before it.
      const starts = [a, ...changes.map((c) => c[0])];
      const offsets = [oa, ...changes.map((c) => c[1])];
      if (offsets[offsets.length - 1] === first) {
        this.starts.shift();
        this.offsets.shift();
      }
      this.starts.unshift(...starts);
      this.offsets.unshift(...offsets);
      this.lo = a;
    }
    while (this.hi < to) {
      const b = this.hi + SAMPLE_STEP;
      const ob = this.raw(b);
      const last = this.offsets[this.offsets.length - 1] as number;
      for (const [at, o] of this.changesBetween(this.hi, last, b, ob)) {
        this.starts.push(at);
        this.offsets.push(o);
      }
      this.hi = b;
    }
  }

  /** The index of the segment holding instant ts (ensured). */
  private segment(ts: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= ts) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Local minus UTC at instant ts, in ms. */
  offsetAt(ts: number): number {
    this.ensure(ts - ZONE_MARGIN, ts + ZONE_MARGIN);
    return this.offsets[this.segment(ts)] as number;
  }

  /**
   * The instant a local wall-clock time (as ms since 1970-01-01T00:00 local) names. In the
   * repeated hour of a fall-back night: its first occurrence. In the skipped hour of a
   * spring-forward night (a time that does not exist): the moment the clocks jump, so a
   * working span reaching into the gap simply loses it, and the mapping never runs backwards
   * (a later wall time never names an earlier instant, so spans never overlap).
   */
  toInstant(local: number): number {
    this.ensure(local - ZONE_MARGIN, local + ZONE_MARGIN);
    const i = this.segment(local - this.offsetAt(local));
    const n = this.starts.length;
    const first = Math.max(0, i - 2);
    const last = Math.min(n - 1, i + 2);
    let best = Number.POSITIVE_INFINITY;
    for (let k = first; k <= last; k += 1) {
      const u = local - (this.offsets[k] as number);
      const end = k + 1 < n ? (this.starts[k + 1] as number) : Number.POSITIVE_INFINITY;
      if ((k === 0 || u >= (this.starts[k] as number)) && u < end && u < best) best = u;
    }
    if (best !== Number.POSITIVE_INFINITY) return best;
    for (let k = first; k < last; k += 1) {
      const change = this.starts[k + 1] as number;
      if (local - (this.offsets[k] as number) >= change && local - (this.offsets[k + 1] as number) < change) return change;
    }
    /* istanbul ignore next -- every local time is either named by an offset or falls in a gap */
    throw new Error(`cannot place local time ${new Date(local).toISOString().slice(0, 16)} in ${this.zone.name}`);
  }

  /** The local day number (days since 1970-01-01 local) of instant ts. */
  localDay(ts: number): number {
    return Math.floor((ts + this.offsetAt(ts)) / DAY);
  }
}

/** One table per zone for the whole process: zone data does not change while it runs. */
const ZONES = new Map<string, ZoneOffsets>();

function zoneOffsets(timeZone: string): ZoneOffsets {
  let z = ZONES.get(timeZone);
  if (!z) {
    if (!IANAZone.isValidZone(timeZone)) throw new RangeError(`unknown time zone "${timeZone}" (expected an IANA zone such as Europe/Berlin)`);
    z = new ZoneOffsets(IANAZone.create(timeZone));
    ZONES.set(timeZone, z);
  }
  return z;
}

/**
 * The instant of a wall-clock time in an IANA zone, by the calendar's rule (see
 * ZoneOffsets#toInstant): equal to luxon's DateTime.fromObject for every time that exists once;
 * the first occurrence of a repeated time; the moment of the jump for a skipped one.
 * `minuteOfDay` may be 1440 (24:00, the next day's midnight).
 */
export function wallClockInstant(timeZone: string, year: number, month: number, day: number, minuteOfDay: number): Date {
  return new Date(zoneOffsets(timeZone).toInstant(Date.UTC(year, month - 1, day) + minuteOfDay * MINUTE));
}

// ---------------------------------------------------------------------------------------------
// Business hours.
// ---------------------------------------------------------------------------------------------

/** Luxon's weekday numbers: mon = 1 .. sun = 7. */
const WEEKDAY_NUMBER: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

/** 1 (Monday) .. 7 (Sunday) of a day number; day 0, 1970-01-01, was a Thursday. */
function weekdayOf(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

function parseSpan(text: string): [number, number] {
  const m = /^\s*(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})\s*$/.exec(text);
  if (!m) throw new RangeError(`expected working hours such as 09:00-17:00, got "${text}"`);
  const [, h1, m1, h2, m2] = m.map(Number) as [number, number, number, number, number];
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  if (h1 > 23 || m1 > 59 || m2 > 59 || end > 1440 || end <= start) throw new RangeError(`expected working hours such as 09:00-17:00 (end after start, at most 24:00), got "${text}"`);
  return [start, end];
}

function parseDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || !Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== text.trim()) throw new RangeError(`expected a holiday date such as 2026-12-25, got "${text}"`);
  return ms / DAY;
}

/**
 * Working time: on working days that are not holidays (both as dates in the calendar's zone),
 * the listed spans of local wall-clock time. A span's ends are converted to instants for that
 * very date, so 09:00-17:00 stays 09:00-17:00 local (8 hours) across a DST change, and a span
 * reaching into the hour a spring-forward night skips is that much shorter (in a fall-back
 * night, longer by the repeated hour).
 *
 * Counting walks day by day (a few table look-ups per day): a two-year-old ticket is ~730
 * iterations, microseconds once the zone's offsets are known.
 */
export class BusinessCalendar implements SlaCalendar {
  readonly name: string;
  readonly dayMs: number;
  readonly timeZone: string;
  private readonly zone: ZoneOffsets;
  private readonly workingDays: ReadonlySet<number>;
  private readonly holidays: ReadonlySet<number>;
  /** [startMs, endMs) of local time after midnight, sorted, not overlapping. */
  private readonly spans: ReadonlyArray<readonly [number, number]>;
  /** Working intervals by local day number (see intervals()). */
  private readonly days = new Map<number, readonly number[]>();

  constructor(config: CalendarConfig, name: string) {
    this.name = name;
    this.timeZone = config.timeZone;
    this.zone = zoneOffsets(config.timeZone);
    const days = new Set<number>();
    for (const d of config.workingDays) {
      const n = WEEKDAY_NUMBER[d];
      if (!n) throw new RangeError(`calendar "${name}": unknown working day "${d}" (expected mon .. sun)`);
      days.add(n);
    }
    if (!days.size) throw new RangeError(`calendar "${name}": expected at least one working day`);
    this.workingDays = days;
    this.holidays = new Set(config.holidays.map(parseDate));
    const hours = config.hours as readonly string[] | string;
    const spans = (typeof hours === 'string' ? [hours] : [...hours]).map(parseSpan).sort((a, b) => a[0] - b[0]);
    if (!spans.length) throw new RangeError(`calendar "${name}": expected working hours such as 09:00-17:00`);
    for (let i = 1; i < spans.length; i += 1) {
      if ((spans[i] as [number, number])[0] < (spans[i - 1] as [number, number])[1]) throw new RangeError(`calendar "${name}": working-hour spans overlap`);
    }
    this.spans = spans.map(([a, b]) => [a * MINUTE, b * MINUTE] as const);
    this.dayMs = this.spans.reduce((sum, [a, b]) => sum + (b - a), 0);
  }

  /** Whether a local day number is a working day: a working weekday and not a holiday. */
  private works(day: number): boolean {
    return this.workingDays.has(weekdayOf(day)) && !this.holidays.has(day);
  }

  /**
   * The working intervals of a local day, in order, as [start, end, start, end, ...] instants;
   * the mapping of wall time to instants never runs backwards, so they do not overlap, within
   * the day or with the neighbouring days. Kept per day: a clock reading asks about the same
   * days many times (each status span, each target, counting and adding).
   */
  private intervals(day: number): readonly number[] {
    const known = this.days.get(day);
    if (known) return known;
    const out: number[] = [];
    if (this.works(day)) {
      const midnight = day * DAY;
      let previousEnd = Number.NEGATIVE_INFINITY;
      for (const [a, b] of this.spans) {
        const start = Math.max(this.zone.toInstant(midnight + a), previousEnd);
        const end = Math.max(this.zone.toInstant(midnight + b), start);
        previousEnd = end;
        if (end > start) out.push(start, end);
      }
    }
    if (this.days.size >= DAY_CACHE_LIMIT) this.days.clear();
    this.days.set(day, out);
    return out;
  }

  countedMs(from: Date, to: Date): number {
    const a = instant(from, 'from');
    const b = instant(to, 'to');
    if (b <= a) return 0;
    let total = 0;
    // One day either side: around a DST change an instant's local day and the instants of that
    // day's spans need not line up exactly (intervals never overlap, so nothing counts twice).
    const last = this.zone.localDay(b) + 1;
    for (let day = this.zone.localDay(a) - 1; day <= last; day += 1) {
      const iv = this.intervals(day);
      for (let i = 0; i < iv.length; i += 2) {
        const s = Math.max(iv[i] as number, a);
        const e = Math.min(iv[i + 1] as number, b);
        if (e > s) total += e - s;
      }
    }
    return total;
  }

  addCounted(from: Date, ms: number): Date {
    const a = instant(from, 'from');
    checkAmount(ms);
    if (ms === 0) return new Date(a);
    let remaining = ms;
    const first = this.zone.localDay(a) - 1;
    for (let day = first; day <= first + SEARCH_LIMIT_DAYS; day += 1) {
      const iv = this.intervals(day);
      for (let i = 0; i < iv.length; i += 2) {
        const s = Math.max(iv[i] as number, a);
        const e = iv[i + 1] as number;
        if (e <= s) continue;
        if (e - s >= remaining) return new Date(s + remaining);
        remaining -= e - s;
      }
    }
    throw new Error(
      `calendar "${this.name}" (${this.timeZone}) has not enough working time within ${SEARCH_LIMIT_TEXT} after ${new Date(a).toISOString()} ` +
        `to count ${ms} ms: check its working days and holidays`,
    );
  }
}

/**
 * The calendar targets are counted in: business hours when the connection has a calendar
 * (named `name`, or `default` when no name is given), otherwise round the clock.
 */
export function calendarFor(config: CalendarConfig | undefined, name: string | null): SlaCalendar {
  if (!config) return ROUND_THE_CLOCK;
  return new BusinessCalendar(config, name ?? 'default');
}
