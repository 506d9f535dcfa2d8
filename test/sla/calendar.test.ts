import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { CalendarConfig } from '../../src/config/schema';
import { BusinessCalendar, calendarFor, ROUND_THE_CLOCK, wallClockInstant, type SlaCalendar } from '../../src/sla/calendar';

const M = 60_000;
const H = 60 * M;
const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

function config(timeZone: string, hours: string[] = ['09:00-17:00'], holidays: string[] = [], workingDays: CalendarConfig['workingDays'] = [...WEEK]): CalendarConfig {
  return { timeZone, workingDays, hours, holidays };
}

const BERLIN = new BusinessCalendar(config('Europe/Berlin'), 'berlin');
const NEW_YORK = new BusinessCalendar(config('America/New_York'), 'new-york');
const BERLIN_LUNCH = new BusinessCalendar(config('Europe/Berlin', ['09:00-12:30', '13:30-17:00']), 'berlin-lunch');
const BERLIN_XMAS = new BusinessCalendar(config('Europe/Berlin', ['09:00-17:00'], ['2026-12-24', '2026-12-25', '2026-12-26']), 'berlin-xmas');
const BERLIN_ALWAYS = new BusinessCalendar(config('Europe/Berlin', ['00:00-24:00'], [], [...ALL_DAYS]), 'berlin-always');
const BERLIN_NIGHT = new BusinessCalendar(config('Europe/Berlin', ['01:00-05:00', '22:00-24:00'], [], [...ALL_DAYS]), 'berlin-night');
const BERLIN_SUNDAY = new BusinessCalendar(config('Europe/Berlin', ['09:00-17:00'], [], ['sun']), 'berlin-sunday');
const NEW_YORK_ALWAYS = new BusinessCalendar(config('America/New_York', ['00:00-24:00'], [], [...ALL_DAYS]), 'ny-always');

const CALENDARS: Record<string, SlaCalendar> = {
  'round the clock': ROUND_THE_CLOCK,
  'Berlin 9-17': BERLIN,
  'New York 9-17': NEW_YORK,
  'Berlin lunch break': BERLIN_LUNCH,
  'Berlin Christmas': BERLIN_XMAS,
  'Berlin 0-24': BERLIN_ALWAYS,
  'Berlin nights (DST hours)': BERLIN_NIGHT,
  'Berlin Sundays only': BERLIN_SUNDAY,
  'New York 0-24': NEW_YORK_ALWAYS,
  'Kathmandu 8:15-16:45 Sun-Fri': new BusinessCalendar(config('Asia/Kathmandu', ['08:15-16:45'], [], ['sun', 'mon', 'tue', 'wed', 'thu', 'fri']), 'kathmandu'),
  'Lord Howe (30-minute DST) 0-24': new BusinessCalendar(config('Australia/Lord_Howe', ['00:00-24:00'], [], [...ALL_DAYS]), 'lord-howe'),
};

/** A local wall-clock time, as luxon reads it (for times that exist once). */
function at(zone: string, local: string): Date {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new Error(`bad fixture ${local}`);
  return dt.toJSDate();
}
const berlin = (local: string): Date => at('Europe/Berlin', local);
const ny = (local: string): Date => at('America/New_York', local);
const utc = (iso: string): Date => new Date(iso);

/**
 * A slow reference: day by day with luxon's DateTime.fromObject for each span's ends. Valid for
 * calendars whose span ends never fall in a skipped or repeated hour (9-17 and the like).
 */
function referenceCountedMs(cfg: CalendarConfig, from: Date, to: Date): number {
  if (to <= from) return 0;
  const zone = cfg.timeZone;
  let total = 0;
  const last = DateTime.fromJSDate(to, { zone }).startOf('day').plus({ days: 1 });
  for (let day = DateTime.fromJSDate(from, { zone }).startOf('day').minus({ days: 1 }); day <= last; day = day.plus({ days: 1 })) {
    if (!cfg.workingDays.includes(day.toFormat('ccc').toLowerCase() as never) || cfg.holidays.includes(day.toISODate()!)) continue;
    for (const span of cfg.hours) {
      const [a, b] = span.split('-').map((t) => t.split(':').map(Number)) as [[number, number], [number, number]];
      const start = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: a[0], minute: a[1] }, { zone }).toMillis();
      const end = b[0] === 24 ? day.plus({ days: 1 }).toMillis() : DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: b[0], minute: b[1] }, { zone }).toMillis();
      const s = Math.max(start, from.getTime());
      const e = Math.min(end, to.getTime());
      if (e > s) total += e - s;
    }
  }
  return total;
}

describe('round the clock', () => {
  it.each([
    ['an hour', '2026-06-01T10:00:00Z', '2026-06-01T11:00:00Z', H],
    ['a night and a weekend', '2026-06-05T16:00:00Z', '2026-06-08T12:00:00Z', 68 * H],
    ['nothing backwards', '2026-06-01T11:00:00Z', '2026-06-01T10:00:00Z', 0],
    ['nothing for an empty range', '2026-06-01T11:00:00Z', '2026-06-01T11:00:00Z', 0],
  ])('counts %s', (_what, from, to, ms) => {
    expect(ROUND_THE_CLOCK.countedMs(utc(from), utc(to))).toBe(ms);
  });

  it('adds real milliseconds, and has no name and a 24-hour day', () => {
    expect(ROUND_THE_CLOCK.addCounted(utc('2026-03-28T11:00:00Z'), 24 * H).toISOString()).toBe('2026-03-29T11:00:00.000Z');
    expect(ROUND_THE_CLOCK.name).toBeNull();
    expect(ROUND_THE_CLOCK.dayMs).toBe(24 * H);
  });
});

describe('BusinessCalendar day length (what one "d" of a goal is)', () => {
  it.each([
    [['09:00-17:00'], 8 * H],
    [['09:00-12:30', '13:30-17:00'], 7 * H],
    [['13:30-17:00', '09:00-12:30'], 7 * H],
    [['00:00-24:00'], 24 * H],
    [['00:00-08:00', '20:00-24:00'], 12 * H],
    [['08:15-16:45'], 8.5 * H],
  ])('%j is %i ms', (hours, dayMs) => {
    expect(new BusinessCalendar(config('Europe/Berlin', hours), 'x').dayMs).toBe(dayMs);
  });
});

describe('BusinessCalendar.countedMs', () => {
  it.each<[string, SlaCalendar, Date, Date, number]>([
    ['within one working day', BERLIN, berlin('2026-06-09T10:00'), berlin('2026-06-09T12:15'), 2.25 * H],
    ['a whole working day', BERLIN, berlin('2026-06-09T00:00'), berlin('2026-06-10T00:00'), 8 * H],
    ['before opening counts nothing', BERLIN, berlin('2026-06-09T06:00'), berlin('2026-06-09T09:00'), 0],
    ['after closing counts nothing', BERLIN, berlin('2026-06-09T17:00'), berlin('2026-06-09T23:59'), 0],
    ['a night: Tue 16:00 to Wed 10:00', BERLIN, berlin('2026-06-09T16:00'), berlin('2026-06-10T10:00'), 2 * H],
    ['a weekend: Fri 16:00 to Mon 12:00', BERLIN, berlin('2026-06-12T16:00'), berlin('2026-06-15T12:00'), 4 * H],
    ['a whole week', BERLIN, berlin('2026-06-08T00:00'), berlin('2026-06-15T00:00'), 40 * H],
    ['a lunch break', BERLIN_LUNCH, berlin('2026-06-09T12:00'), berlin('2026-06-09T14:00'), H],
    ['holidays 24-26 Dec (Thu-Sat)', BERLIN_XMAS, berlin('2026-12-23T16:30'), berlin('2026-12-28T09:30'), H],
    ['the same days without holidays', BERLIN, berlin('2026-12-23T16:30'), berlin('2026-12-28T09:30'), 17 * H],
    ['a holiday is a day in the zone, not in UTC', BERLIN_XMAS, utc('2026-12-23T23:30:00Z'), utc('2026-12-26T23:30:00Z'), 0],
    ['spring forward, 9-17 on the day (Berlin)', BERLIN_SUNDAY, berlin('2026-03-29T00:00'), berlin('2026-03-30T00:00'), 8 * H],
    ['fall back, 9-17 on the day (Berlin)', BERLIN_SUNDAY, berlin('2026-10-25T00:00'), berlin('2026-10-26T00:00'), 8 * H],
    ['spring forward, 0-24 (Berlin): 23 hours', BERLIN_ALWAYS, berlin('2026-03-29T00:00'), berlin('2026-03-30T00:00'), 23 * H],
    ['fall back, 0-24 (Berlin): 25 hours', BERLIN_ALWAYS, berlin('2026-10-25T00:00'), berlin('2026-10-26T00:00'), 25 * H],
    ['spring forward, 0-24 (New York): 23 hours', NEW_YORK_ALWAYS, ny('2026-03-08T00:00'), ny('2026-03-09T00:00'), 23 * H],
    ['fall back, 0-24 (New York): 25 hours', NEW_YORK_ALWAYS, ny('2026-11-01T00:00'), ny('2026-11-02T00:00'), 25 * H],
    ['a span across the skipped hour is an hour shorter', BERLIN_NIGHT, berlin('2026-03-29T00:00'), berlin('2026-03-29T12:00'), 3 * H],
    ['a span across the repeated hour is an hour longer', BERLIN_NIGHT, berlin('2026-10-25T00:00'), berlin('2026-10-25T12:00'), 5 * H],
    ['a span ending at 24:00 runs to midnight', BERLIN_NIGHT, berlin('2026-06-09T21:00'), berlin('2026-06-10T00:30'), 2 * H],
    ['a week across spring forward (New York)', NEW_YORK, ny('2026-03-02T00:00'), ny('2026-03-16T00:00'), 80 * H],
  ])('%s', (_what, calendar, from, to, ms) => {
    expect(calendar.countedMs(from, to)).toBe(ms);
  });
});

describe('BusinessCalendar.addCounted', () => {
  it.each<[string, SlaCalendar, Date, number, Date]>([
    ['Friday 16:00 + 4h is Monday 12:00 (Berlin, summer)', BERLIN, berlin('2026-06-12T16:00'), 4 * H, utc('2026-06-15T10:00:00Z')],
    ['Friday 16:00 + 1h is Friday 17:00, not Monday 09:00', BERLIN, berlin('2026-06-12T16:00'), H, berlin('2026-06-12T17:00')],
    ['Saturday + 2h is Monday 11:00', BERLIN, berlin('2026-06-13T10:00'), 2 * H, berlin('2026-06-15T11:00')],
    ['before opening + 30m is 09:30', BERLIN, berlin('2026-06-09T07:00'), 30 * M, berlin('2026-06-09T09:30')],
    ['0 ms is the instant itself, even at night', BERLIN, berlin('2026-06-09T03:00'), 0, berlin('2026-06-09T03:00')],
    ['one working day (8h) from Tuesday 10:00 is Wednesday 10:00', BERLIN, berlin('2026-06-09T10:00'), 8 * H, berlin('2026-06-10T10:00')],
    ['lunch: 12:00 + 1h is 14:00', BERLIN_LUNCH, berlin('2026-06-09T12:00'), H, berlin('2026-06-09T14:00')],
    ['lunch: 12:30 + 0h30 is 14:00, not 13:00', BERLIN_LUNCH, berlin('2026-06-09T12:30'), 30 * M, berlin('2026-06-09T14:00')],
    ['holidays: Wed 23 Dec 16:30 + 4h is Mon 28 Dec 12:30', BERLIN_XMAS, berlin('2026-12-23T16:30'), 4 * H, utc('2026-12-28T11:30:00Z')],
    ['on a holiday: Fri 25 Dec + 1h is Mon 28 Dec 10:00', BERLIN_XMAS, berlin('2026-12-25T10:00'), H, berlin('2026-12-28T10:00')],
    ['spring forward (Berlin): Fri 27 Mar 16:00 CET + 4h is Mon 12:00 CEST', BERLIN, berlin('2026-03-27T16:00'), 4 * H, utc('2026-03-30T10:00:00Z')],
    ['fall back (Berlin): Fri 23 Oct 16:00 CEST + 4h is Mon 12:00 CET', BERLIN, berlin('2026-10-23T16:00'), 4 * H, utc('2026-10-26T11:00:00Z')],
    ['spring forward (New York): Fri 6 Mar 16:00 EST + 4h is Mon 12:00 EDT', NEW_YORK, ny('2026-03-06T16:00'), 4 * H, utc('2026-03-09T16:00:00Z')],
    ['fall back (New York): Fri 30 Oct 16:00 EDT + 4h is Mon 12:00 EST', NEW_YORK, ny('2026-10-30T16:00'), 4 * H, utc('2026-11-02T17:00:00Z')],
    ['0-24 across spring forward: 24 counted hours are 24 real hours', BERLIN_ALWAYS, utc('2026-03-28T11:00:00Z'), 24 * H, utc('2026-03-29T11:00:00Z')],
    ['0-24 across fall back: 24 counted hours are 24 real hours', NEW_YORK_ALWAYS, utc('2026-10-31T16:00:00Z'), 24 * H, utc('2026-11-01T16:00:00Z')],
  ])('%s', (_what, calendar, from, ms, due) => {
    expect(calendar.addCounted(from, ms).toISOString()).toBe(due.toISOString());
  });

  it('keeps wall-clock hours across a DST change: the same local hour on the Monday after', () => {
    for (const [calendar, zone, friday] of [
      [BERLIN, 'Europe/Berlin', '2026-03-27T16:00'],
      [BERLIN, 'Europe/Berlin', '2026-10-23T16:00'],
      [NEW_YORK, 'America/New_York', '2026-03-06T16:00'],
      [NEW_YORK, 'America/New_York', '2026-10-30T16:00'],
    ] as const) {
      const due = DateTime.fromJSDate(calendar.addCounted(at(zone, friday), 4 * H), { zone });
      expect([due.weekdayLong, due.toFormat('HH:mm')]).toEqual(['Monday', '12:00']);
    }
  });

  it('throws a clear error, quickly, when no working time comes for 10 years', () => {
    const holidays: string[] = [];
    for (let d = DateTime.fromISO('2026-01-01', { zone: 'UTC' }); d.year < 2040; d = d.plus({ days: 1 })) holidays.push(d.toISODate()!);
    const closed = new BusinessCalendar(config('Europe/Berlin', ['09:00-17:00'], holidays, [...ALL_DAYS]), 'closed');
    expect(() => closed.addCounted(berlin('2026-06-09T10:00'), H)).toThrow(/calendar "closed" \(Europe\/Berlin\) has not enough working time within 10 years after 2026-06-09T08:00:00.000Z/);
    expect(closed.countedMs(berlin('2026-01-01T00:00'), berlin('2030-01-01T00:00'))).toBe(0);
  });

  it('rejects a negative or non-finite amount', () => {
    expect(() => BERLIN.addCounted(berlin('2026-06-09T10:00'), -1)).toThrow(RangeError);
    expect(() => ROUND_THE_CLOCK.addCounted(berlin('2026-06-09T10:00'), Number.NaN)).toThrow(RangeError);
  });
});

describe('BusinessCalendar configuration', () => {
  it.each<[string, CalendarConfig, RegExp]>([
    ['an unknown zone', config('Europe/Atlantis'), /unknown time zone "Europe\/Atlantis"/],
    ['a span ending before it starts', config('Europe/Berlin', ['17:00-09:00']), /end after start/],
    ['a span past midnight', config('Europe/Berlin', ['09:00-24:30']), /at most 24:00/],
    ['an unreadable span', config('Europe/Berlin', ['9-17']), /expected working hours such as 09:00-17:00/],
    ['overlapping spans', config('Europe/Berlin', ['09:00-13:00', '12:00-17:00']), /overlap/],
    ['no spans', config('Europe/Berlin', []), /expected working hours/],
    ['no working days', config('Europe/Berlin', ['09:00-17:00'], [], []), /at least one working day/],
    ['an impossible holiday', config('Europe/Berlin', ['09:00-17:00'], ['2026-02-30']), /holiday date such as 2026-12-25, got "2026-02-30"/],
  ])('rejects %s', (_what, cfg, message) => {
    expect(() => new BusinessCalendar(cfg, 'x')).toThrow(message);
  });

  it('calendarFor: round the clock without a calendar, business hours with one', () => {
    expect(calendarFor(undefined, null)).toBe(ROUND_THE_CLOCK);
    expect(calendarFor(undefined, 'default')).toBe(ROUND_THE_CLOCK);
    const cal = calendarFor(config('Europe/Berlin'), 'zendesk/partner-b');
    expect(cal).toBeInstanceOf(BusinessCalendar);
    expect([cal.name, cal.dayMs]).toEqual(['zendesk/partner-b', 8 * H]);
    expect(calendarFor(config('Europe/Berlin'), null).name).toBe('default');
  });
});

describe('wall-clock times in a zone', () => {
  const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Asia/Tokyo', 'UTC'];

  it('agree with luxon for every wall time that exists exactly once', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: Date.UTC(2018, 0, 1), max: Date.UTC(2032, 0, 1) }), (zone, ms) => {
        const d = new Date(ms);
        const [y, mo, da, mi] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours() * 60 + d.getUTCMinutes()];
        const lx = DateTime.fromObject({ year: y, month: mo, day: da, hour: Math.floor(mi / 60), minute: mi % 60 }, { zone });
        const exists = lx.hour === Math.floor(mi / 60) && lx.minute === mi % 60;
        if (!exists || lx.getPossibleOffsets().length !== 1) return;
        expect(wallClockInstant(zone, y, mo, da, mi).getTime()).toBe(lx.toMillis());
      }),
      { seed: 20260329, numRuns: 3000 },
    );
  });

  it.each([
    ['a skipped time is the moment the clocks jump (Berlin 02:30)', 'Europe/Berlin', 2026, 3, 29, 150, '2026-03-29T01:00:00.000Z'],
    ['a skipped time is the moment the clocks jump (New York 02:30)', 'America/New_York', 2026, 3, 8, 150, '2026-03-08T07:00:00.000Z'],
    ['a repeated time is its first occurrence (Berlin 02:30)', 'Europe/Berlin', 2026, 10, 25, 150, '2026-10-25T00:30:00.000Z'],
    ['a repeated time is its first occurrence (New York 01:30)', 'America/New_York', 2026, 11, 1, 90, '2026-11-01T05:30:00.000Z'],
    ['24:00 is the next midnight', 'Europe/Berlin', 2026, 3, 28, 1440, '2026-03-28T23:00:00.000Z'],
  ])('%s', (_what, zone, y, mo, d, minute, expected) => {
    expect(wallClockInstant(zone, y, mo, d, minute).toISOString()).toBe(expected);
  });
});

describe('countedMs and addCounted are inverse (property)', () => {
  const names = Object.keys(CALENDARS);
  // 2025-06 .. 2027-06: two springs and two autumns of every DST zone above.
  const instant = fc.integer({ min: Date.UTC(2025, 5, 1), max: Date.UTC(2027, 5, 1) });
  const span = fc.integer({ min: 0, max: 40 * 24 * H });

  it('addCounted(from, countedMs(from, to)) <= to', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), instant, span, (name, from, length) => {
        const cal = CALENDARS[name]!;
        const to = new Date(from + length);
        const counted = cal.countedMs(new Date(from), to);
        expect(cal.addCounted(new Date(from), counted).getTime()).toBeLessThanOrEqual(to.getTime());
      }),
      { seed: 4242, numRuns: 400 },
    );
  });

  it('countedMs(from, addCounted(from, ms)) === ms, and nothing earlier reaches ms', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), instant, fc.integer({ min: 0, max: 30 * 8 * H }), (name, from, ms) => {
        const cal = CALENDARS[name]!;
        const due = cal.addCounted(new Date(from), ms);
        expect(due.getTime()).toBeGreaterThanOrEqual(from);
        expect(cal.countedMs(new Date(from), due)).toBe(ms);
        if (ms > 0) expect(cal.countedMs(new Date(from), new Date(due.getTime() - 1))).toBe(ms - 1);
      }),
      { seed: 1729, numRuns: 400 },
    );
  });

  it('agrees with a day-by-day luxon reference for 9-5 calendars', () => {
    const configs: Array<[CalendarConfig, SlaCalendar]> = [
      [config('Europe/Berlin'), BERLIN],
      [config('America/New_York'), NEW_YORK],
      [config('Europe/Berlin', ['09:00-12:30', '13:30-17:00']), BERLIN_LUNCH],
      [config('Europe/Berlin', ['09:00-17:00'], ['2026-12-24', '2026-12-25', '2026-12-26']), BERLIN_XMAS],
      [config('America/New_York', ['00:00-24:00'], [], [...ALL_DAYS]), NEW_YORK_ALWAYS],
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: configs.length - 1 }), instant, span, (i, from, length) => {
        const [cfg, cal] = configs[i]!;
        expect(cal.countedMs(new Date(from), new Date(from + length))).toBe(referenceCountedMs(cfg, new Date(from), new Date(from + length)));
      }),
      { seed: 8128, numRuns: 150 },
    );
  });

  it('counts add up over a split, and never exceed real time', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), instant, span, span, (name, a, l1, l2) => {
        const cal = CALENDARS[name]!;
        const [from, mid, to] = [new Date(a), new Date(a + l1), new Date(a + l1 + l2)];
        const whole = cal.countedMs(from, to);
        expect(cal.countedMs(from, mid) + cal.countedMs(mid, to)).toBe(whole);
        expect(whole).toBeLessThanOrEqual(l1 + l2);
      }),
      { seed: 31337, numRuns: 400 },
    );
  });
});

describe('two years of working time', () => {
  const PARIS = config('Europe/Paris', ['09:00-12:30', '13:30-17:00'], ['2025-01-01', '2025-12-25', '2026-01-01']);
  it('counts two years of split working hours with holidays exactly (its speed is in BENCHMARKS.md)', () => {
    // A fresh calendar (its own day cache) in a zone no other test uses (its offsets not learnt yet).
    const cal = new BusinessCalendar(PARIS, 'paris');
    const from = at('Europe/Paris', '2024-06-03T10:00');
    const to = at('Europe/Paris', '2026-06-03T10:00');
    const counted = cal.countedMs(from, to);
    expect(cal.addCounted(from, counted).getTime()).toBeLessThanOrEqual(to.getTime());
    expect(counted).toBe(referenceCountedMs(PARIS, from, to));
    expect(counted).toBe(519 * 7 * H); // 2024-06-03 .. 2026-06-03: 522 weekdays, 3 of them holidays
  });
});
