import { DateTime } from 'luxon';
import type { CalendarConfig } from '../../src/config/schema';
import type { Goal, SlaHistory, SlaTargetName, TargetClock } from '../../src/domain/sla';
import type { CanonicalPriority, CanonicalStatus } from '../../src/domain/ticket';
import { BusinessCalendar, ROUND_THE_CLOCK, type SlaCalendar } from '../../src/sla/calendar';
import { readClock, type ClockInput } from '../../src/sla/clock';
import { parseGoal } from '../../src/sla/duration';

const M = 60_000;
const H = 60 * M;
const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

function cal(timeZone: string, hours: string[] = ['09:00-17:00'], holidays: string[] = []): BusinessCalendar {
  const config: CalendarConfig = { timeZone, workingDays: [...WEEK], hours, holidays };
  return new BusinessCalendar(config, timeZone);
}

const CALENDARS: Record<string, SlaCalendar> = {
  '24/7': ROUND_THE_CLOCK,
  berlin: cal('Europe/Berlin'),
  'new york': cal('America/New_York'),
  'berlin lunch': cal('Europe/Berlin', ['09:00-12:30', '13:30-17:00']),
  'berlin xmas': cal('Europe/Berlin', ['09:00-17:00'], ['2026-12-24', '2026-12-25', '2026-12-26']),
};

const ZONES: Record<string, string> = { berlin: 'Europe/Berlin', 'new york': 'America/New_York', 'berlin lunch': 'Europe/Berlin', 'berlin xmas': 'Europe/Berlin' };

/**
 * Times in fixtures: `2026-06-12 16:00` is local wall time of the row's calendar zone (UTC for
 * 24/7); a trailing Z makes it a UTC instant anywhere.
 */
function instant(text: string, calendar: string): string {
  if (text.endsWith('Z')) return new Date(text).toISOString();
  const zone = ZONES[calendar] ?? 'UTC';
  const dt = DateTime.fromISO(text.replace(' ', 'T'), { zone });
  if (!dt.isValid) throw new Error(`bad fixture time ${text}`);
  return dt.toUTC().toISO()!;
}

const goal = (text: string): Goal => parseGoal(text)!;

interface Row {
  calendar: string;
  created: string;
  /** Status changes after creation (the ticket starts open). */
  statuses?: Array<[string, CanonicalStatus]>;
  responded?: string;
  fr?: string | null;
  res?: string | null;
  now: string;
  pause?: CanonicalStatus[];
}

type Expected = Partial<Omit<TargetClock, 'target' | 'goal' | 'source'>>;

function clockInput(row: Row): ClockInput {
  const c = row.calendar;
  const history: SlaHistory = {
    createdAt: instant(row.created, c),
    statuses: [{ at: instant(row.created, c), status: 'open' }, ...(row.statuses ?? []).map(([at, status]) => ({ at: instant(at, c), status }))],
    firstResponseAt: row.responded ? instant(row.responded, c) : null,
    priority: 'normal',
    basis: 'observed',
  };
  return {
    history,
    goals: { first_response: row.fr ? goal(row.fr) : null, resolution: row.res ? goal(row.res) : null },
    calendar: CALENDARS[c]!,
    pauseStatuses: row.pause ?? ['pending', 'on_hold'],
    now: new Date(instant(row.now, c)),
  };
}

function byTarget(targets: TargetClock[]): Record<SlaTargetName, TargetClock | undefined> {
  return { first_response: targets.find((t) => t.target === 'first_response'), resolution: targets.find((t) => t.target === 'resolution') };
}

function read(row: Row): Record<SlaTargetName, TargetClock | undefined> {
  return byTarget(readClock(clockInput(row)));
}

/** Expected readings with times in the row's calendar zone, as `instant` reads them. */
function expectReading(actual: TargetClock | undefined, expected: Expected, calendar: string): void {
  const e: Record<string, unknown> = { ...expected };
  for (const key of ['dueAt', 'breachedAt', 'metAt'] as const) {
    const v = expected[key];
    if (typeof v === 'string') e[key] = instant(v, calendar);
  }
  expect(actual).toMatchObject(e);
}

describe('readClock: first response', () => {
  it.each<[string, Row, Expected]>([
    [
      'urgent 1h, no reply after 61 minutes: breached at the hour',
      { calendar: '24/7', created: '2026-06-01 10:00', fr: '1h', now: '2026-06-01 11:01' },
      { stage: 'breached', elapsedMs: 61 * M, remainingMs: -M, breachedAt: '2026-06-01 11:00', dueAt: '2026-06-01 11:00', metAt: null },
    ],
    [
      'urgent 1h, replied after 59 minutes: met, 1 minute to spare',
      { calendar: '24/7', created: '2026-06-01 10:00', fr: '1h', responded: '2026-06-01 10:59', now: '2026-06-01 15:00' },
      { stage: 'met', elapsedMs: 59 * M, remainingMs: M, breachedAt: null, dueAt: '2026-06-01 11:00', metAt: '2026-06-01 10:59' },
    ],
    [
      'urgent 1h, replied after 90 minutes: met late',
      { calendar: '24/7', created: '2026-06-01 10:00', fr: '1h', responded: '2026-06-01 11:30', now: '2026-06-01 15:00' },
      { stage: 'met_late', elapsedMs: 90 * M, remainingMs: -30 * M, breachedAt: '2026-06-01 11:00', dueAt: '2026-06-01 11:00', metAt: '2026-06-01 11:30' },
    ],
    [
      'replied exactly at the goal: met late (the goal is reached, not beaten)',
      { calendar: '24/7', created: '2026-06-01 10:00', fr: '1h', responded: '2026-06-01 11:00', now: '2026-06-01 15:00' },
      { stage: 'met_late', elapsedMs: H, remainingMs: 0, breachedAt: '2026-06-01 11:00' },
    ],
    [
      'no reply yet, within the goal: running',
      { calendar: '24/7', created: '2026-06-01 10:00', fr: '1h', now: '2026-06-01 10:30' },
      { stage: 'running', elapsedMs: 30 * M, remainingMs: 30 * M, dueAt: '2026-06-01 11:00', breachedAt: null, metAt: null },
    ],
    [
      'pending (waiting on the requester): paused, no due time',
      { calendar: '24/7', created: '2026-06-01 10:00', statuses: [['2026-06-01 10:20', 'pending']], fr: '1h', now: '2026-06-01 18:00' },
      { stage: 'paused', elapsedMs: 20 * M, remainingMs: 40 * M, dueAt: null, breachedAt: null },
    ],
    [
      'back from pending: running, the paused half hour added to the due time',
      { calendar: '24/7', created: '2026-06-01 10:00', statuses: [['2026-06-01 10:20', 'pending'], ['2026-06-01 10:50', 'open']], fr: '1h', now: '2026-06-01 11:00' },
      { stage: 'running', elapsedMs: 30 * M, dueAt: '2026-06-01 11:30' },
    ],
    [
      'on hold with no pause statuses configured: it counts',
      { calendar: '24/7', created: '2026-06-01 10:00', statuses: [['2026-06-01 10:20', 'on_hold']], fr: '1h', now: '2026-06-01 10:40', pause: [] },
      { stage: 'running', elapsedMs: 40 * M, dueAt: '2026-06-01 11:00' },
    ],
    [
      'resolved without a reply: paused (resolved time does not count)',
      { calendar: '24/7', created: '2026-06-01 10:00', statuses: [['2026-06-01 10:30', 'resolved']], fr: '1h', now: '2026-06-02 10:00' },
      { stage: 'paused', elapsedMs: 30 * M, remainingMs: 30 * M, dueAt: null, metAt: null },
    ],
    [
      'resolved without a reply after the goal ran out: stays breached',
      { calendar: '24/7', created: '2026-06-01 10:00', statuses: [['2026-06-01 12:00', 'closed']], fr: '1h', now: '2026-06-02 10:00' },
      { stage: 'breached', elapsedMs: 2 * H, breachedAt: '2026-06-01 11:00' },
    ],
    [
      'a reply recorded after now is not known yet',
      { calendar: '24/7', created: '2026-06-01 10:00', fr: '1h', responded: '2026-06-01 10:50', now: '2026-06-01 10:40' },
      { stage: 'running', elapsedMs: 40 * M, metAt: null },
    ],
    [
      'a reply stamped before creation counts as at creation',
      { calendar: '24/7', created: '2026-06-01 10:00', fr: '1h', responded: '2026-06-01 09:00', now: '2026-06-01 12:00' },
      { stage: 'met', elapsedMs: 0, remainingMs: H, metAt: '2026-06-01 10:00', dueAt: '2026-06-01 11:00' },
    ],
    [
      'outside working hours an open ticket is running, due in the next working period',
      { calendar: 'berlin', created: '2026-06-12 16:00', fr: '4h', now: '2026-06-13 12:00' },
      { stage: 'running', elapsedMs: H, remainingMs: 3 * H, dueAt: '2026-06-15 12:00' },
    ],
    [
      'a reply on Monday 11:00 to a Friday 16:00 ticket (4h) is met: only 3 working hours passed',
      { calendar: 'berlin', created: '2026-06-12 16:00', fr: '4h', responded: '2026-06-15 11:00', now: '2026-06-16 12:00' },
      { stage: 'met', elapsedMs: 3 * H, remainingMs: H, dueAt: '2026-06-15 12:00' },
    ],
    [
      'lunch break: a 12:00 ticket with 1h is due at 14:00',
      { calendar: 'berlin lunch', created: '2026-06-09 12:00', fr: '1h', now: '2026-06-09 13:00' },
      { stage: 'running', elapsedMs: 30 * M, dueAt: '2026-06-09 14:00' },
    ],
    [
      'lunch break: breached at 14:00, not 13:00',
      { calendar: 'berlin lunch', created: '2026-06-09 12:00', fr: '1h', now: '2026-06-09 15:00' },
      { stage: 'breached', elapsedMs: 2 * H, breachedAt: '2026-06-09 14:00' },
    ],
  ])('%s', (_what, row, expected) => {
    expectReading(read(row).first_response, expected, row.calendar);
  });
});

describe('readClock: resolution', () => {
  const reopened: Row = {
    calendar: '24/7',
    created: '2026-06-01 00:00',
    statuses: [
      ['2026-06-01 02:00', 'resolved'],
      ['2026-06-01 10:00', 'open'],
    ],
    res: '4h',
    now: '',
  };
  it.each<[string, Row, Expected]>([
    [
      'resolved in 2h of 4h: met, with what would have been the due time',
      { ...reopened, statuses: [['2026-06-01 02:00', 'resolved']], now: '2026-06-01 05:00' },
      { stage: 'met', elapsedMs: 2 * H, remainingMs: 2 * H, metAt: '2026-06-01 02:00', dueAt: '2026-06-01 04:00', breachedAt: null },
    ],
    [
      'resolved then closed: met at the resolution, not the closing',
      { ...reopened, statuses: [['2026-06-01 02:00', 'resolved'], ['2026-06-01 06:00', 'closed']], now: '2026-06-02 00:00' },
      { stage: 'met', elapsedMs: 2 * H, metAt: '2026-06-01 02:00' },
    ],
    [
      'reopened: running again with the 2h already counted (the 8h resolved do not count)',
      { ...reopened, now: '2026-06-01 11:00' },
      { stage: 'running', elapsedMs: 3 * H, remainingMs: H, dueAt: '2026-06-01 12:00', metAt: null, breachedAt: null },
    ],
    [
      'reopened and left open: breaches later',
      { ...reopened, now: '2026-06-01 13:00' },
      { stage: 'breached', elapsedMs: 5 * H, remainingMs: -H, breachedAt: '2026-06-01 12:00', dueAt: '2026-06-01 12:00' },
    ],
    [
      'resolved again after breaching: met late, at the latest resolution',
      { ...reopened, statuses: [...reopened.statuses!, ['2026-06-01 13:30', 'resolved']], now: '2026-06-01 14:00' },
      { stage: 'met_late', elapsedMs: 5.5 * H, breachedAt: '2026-06-01 12:00', metAt: '2026-06-01 13:30' },
    ],
    [
      'pause across the night: pending 16:00 to 10:00 does not count (1d = 8 working hours)',
      { calendar: 'berlin', created: '2026-06-09 09:00', statuses: [['2026-06-09 16:00', 'pending'], ['2026-06-10 10:00', 'open']], res: '1d', now: '2026-06-10 10:30' },
      { stage: 'running', elapsedMs: 7.5 * H, remainingMs: 0.5 * H, dueAt: '2026-06-10 11:00' },
    ],
    [
      'the same ticket without the pause: breached at 17:00 the day before',
      { calendar: 'berlin', created: '2026-06-09 09:00', res: '1d', now: '2026-06-10 10:30' },
      { stage: 'breached', elapsedMs: 9.5 * H, breachedAt: '2026-06-09 17:00' },
    ],
    [
      'pending only outside working hours changes nothing',
      { calendar: 'berlin', created: '2026-06-09 09:00', statuses: [['2026-06-09 18:00', 'pending'], ['2026-06-10 08:00', 'open']], res: '1d 4h', now: '2026-06-10 10:30' },
      { stage: 'running', elapsedMs: 9.5 * H, dueAt: '2026-06-10 13:00' },
    ],
    [
      'pending while it is pending at night: paused, no due time',
      { calendar: 'berlin', created: '2026-06-09 09:00', statuses: [['2026-06-09 16:00', 'pending']], res: '1d', now: '2026-06-10 03:00' },
      { stage: 'paused', elapsedMs: 7 * H, dueAt: null },
    ],
    [
      'weekend: a Friday 16:00 ticket with 4h is due Monday 12:00 local',
      { calendar: 'berlin', created: '2026-06-12 16:00', res: '4h', now: '2026-06-12 16:30' },
      { stage: 'running', elapsedMs: 30 * M, dueAt: '2026-06-15T10:00:00Z' },
    ],
    [
      'holidays 24-26 Dec: a Wednesday 23 Dec 16:30 ticket with 4h is due Monday 28 Dec 12:30',
      { calendar: 'berlin xmas', created: '2026-12-23 16:30', res: '4h', now: '2026-12-25 12:00' },
      { stage: 'running', elapsedMs: 30 * M, dueAt: '2026-12-28T11:30:00Z' },
    ],
    [
      'holidays 24-26 Dec: breached on Monday 28 Dec at 12:30',
      { calendar: 'berlin xmas', created: '2026-12-23 16:30', res: '4h', now: '2026-12-28 13:00' },
      { stage: 'breached', elapsedMs: 4.5 * H, breachedAt: '2026-12-28 12:30' },
    ],
    [
      "business '1d' is one working day: Friday 10:00 is due Monday 10:00",
      { calendar: 'berlin', created: '2026-06-12 10:00', res: '1d', now: '2026-06-12 11:00' },
      { stage: 'running', dueAt: '2026-06-15 10:00' },
    ],
    [
      "business '3d' from Tuesday 10:00 is due Friday 10:00",
      { calendar: 'berlin', created: '2026-06-09 10:00', res: '3d', now: '2026-06-09 11:00' },
      { stage: 'running', remainingMs: 23 * H, dueAt: '2026-06-12 10:00' },
    ],
    [
      "business '1d' with a lunch break is 7 hours: Tuesday 10:00 is due Wednesday 10:00",
      { calendar: 'berlin lunch', created: '2026-06-09 10:00', res: '1d', now: '2026-06-09 11:00' },
      { stage: 'running', elapsedMs: H, remainingMs: 6 * H, dueAt: '2026-06-10 10:00' },
    ],
  ])('%s', (_what, row, expected) => {
    expectReading(read(row).resolution, expected, row.calendar);
  });
});

describe('readClock: daylight-saving changes', () => {
  it.each<[string, Row, string, string]>([
    ['Berlin, spring forward (29 Mar): Friday 16:00 + 4h', { calendar: 'berlin', created: '2026-03-27 16:00', res: '4h', now: '2026-03-27 16:30' }, '2026-03-30T10:00:00.000Z', 'Monday 12:00'],
    ['Berlin, fall back (25 Oct): Friday 16:00 + 4h', { calendar: 'berlin', created: '2026-10-23 16:00', res: '4h', now: '2026-10-23 16:30' }, '2026-10-26T11:00:00.000Z', 'Monday 12:00'],
    ['New York, spring forward (8 Mar): Friday 16:00 + 4h', { calendar: 'new york', created: '2026-03-06 16:00', res: '4h', now: '2026-03-06 16:30' }, '2026-03-09T16:00:00.000Z', 'Monday 12:00'],
    ['New York, fall back (1 Nov): Friday 16:00 + 4h', { calendar: 'new york', created: '2026-10-30 16:00', res: '4h', now: '2026-10-30 16:30' }, '2026-11-02T17:00:00.000Z', 'Monday 12:00'],
    ['New York, a working week and an hour across 8 Mar: Monday 09:00 + 5d 1h', { calendar: 'new york', created: '2026-03-02 09:00', res: '5d 1h', now: '2026-03-02 09:30' }, '2026-03-09T14:00:00.000Z', 'Monday 10:00'],
    ['New York, a working week: Monday 09:00 + 5d ends Friday 17:00, not Monday 09:00', { calendar: 'new york', created: '2026-03-02 09:00', res: '5d', now: '2026-03-02 09:30' }, '2026-03-06T22:00:00.000Z', 'Friday 17:00'],
  ])('business hours hold the wall clock: %s', (_what, row, dueUtc, dueLocal) => {
    const r = read(row).resolution!;
    expect(r.dueAt).toBe(dueUtc);
    expect(DateTime.fromISO(r.dueAt!, { zone: ZONES[row.calendar] }).toFormat('cccc HH:mm')).toBe(dueLocal);
  });

  it.each<[string, string, string, string, string]>([
    ['Berlin spring forward', '2026-03-28T11:00:00Z', 'Europe/Berlin', '2026-03-29T11:00:00.000Z', '13:00'],
    ['Berlin fall back', '2026-10-24T10:00:00Z', 'Europe/Berlin', '2026-10-25T10:00:00.000Z', '11:00'],
    ['New York spring forward', '2026-03-07T17:00:00Z', 'America/New_York', '2026-03-08T17:00:00.000Z', '13:00'],
    ['New York fall back', '2026-10-31T16:00:00Z', 'America/New_York', '2026-11-01T16:00:00.000Z', '11:00'],
  ])('round the clock a 1d target across %s is 24 real hours, not 23 or 25', (_what, created, zone, dueUtc, dueLocalTime) => {
    const r = read({ calendar: '24/7', created, res: '1d', now: created }).resolution!;
    expect(r.dueAt).toBe(dueUtc);
    expect(Date.parse(r.dueAt!) - Date.parse(created)).toBe(24 * H);
    // Created at 12:00 local, due at 13:00 (spring) or 11:00 (autumn) local.
    expect(DateTime.fromISO(r.dueAt!, { zone }).toFormat('HH:mm')).toBe(dueLocalTime);
  });
});

describe('readClock: priorities and goals', () => {
  const open3h: Row = { calendar: '24/7', created: '2026-06-01 00:00', now: '2026-06-01 03:00' };

  it.each<[string, CanonicalPriority, string, string, Expected, Expected]>([
    ['normal (8h / 3d)', 'normal', '8h', '3d', { stage: 'running', elapsedMs: 3 * H, dueAt: '2026-06-01 08:00', breachedAt: null }, { stage: 'running', dueAt: '2026-06-04 00:00' }],
    ['changed to urgent (1h / 4h): breached at once, in the past', 'urgent', '1h', '4h', { stage: 'breached', elapsedMs: 3 * H, remainingMs: -2 * H, breachedAt: '2026-06-01 01:00' }, { stage: 'running', remainingMs: H, dueAt: '2026-06-01 04:00' }],
  ])('a ticket open 3h, %s', (_what, _priority, fr, res, frExpected, resExpected) => {
    const r = read({ ...open3h, fr, res });
    expectReading(r.first_response, frExpected, '24/7');
    expectReading(r.resolution, resExpected, '24/7');
  });

  it.each<[string, string | null, string | null, SlaTargetName[]]>([
    ['both goals', '1h', '4h', ['first_response', 'resolution']],
    ['no first-response goal', null, '4h', ['resolution']],
    ['no resolution goal', '1h', null, ['first_response']],
    ['no goals', null, null, []],
  ])('targets in order, those without a goal left out: %s', (_what, fr, res, targets) => {
    const history: SlaHistory = { createdAt: '2026-06-01T00:00:00Z', statuses: [], firstResponseAt: null, priority: 'low', basis: 'event' };
    const out = readClock({ history, goals: { first_response: fr ? goal(fr) : null, resolution: res ? goal(res) : null }, calendar: ROUND_THE_CLOCK, pauseStatuses: ['pending'], now: new Date('2026-06-01T00:30:00Z') });
    expect(out.map((t) => t.target)).toEqual(targets);
    for (const t of out) expect(t).toMatchObject({ source: 'ours', goal: goal(t.target === 'first_response' ? fr! : res!) });
  });
});

describe('readClock: history read defensively', () => {
  const base = { createdAt: '2026-06-01T10:00:00.000Z', firstResponseAt: null, priority: 'normal' as const, basis: 'assumed' as const };
  const run = (statuses: SlaHistory['statuses'], now = '2026-06-01T12:00:00Z'): TargetClock =>
    readClock({ history: { ...base, statuses }, goals: { first_response: null, resolution: goal('4h') }, calendar: ROUND_THE_CLOCK, pauseStatuses: ['pending', 'on_hold'], now: new Date(now) })[0]!;

  it.each<[string, SlaHistory['statuses'], Expected]>([
    ['no statuses: open from creation', [], { stage: 'running', elapsedMs: 2 * H }],
    [
      'out of order',
      [
        { at: '2026-06-01T11:00:00Z', status: 'pending' },
        { at: '2026-06-01T10:00:00Z', status: 'open' },
        { at: '2026-06-01T11:30:00Z', status: 'open' },
      ],
      { stage: 'running', elapsedMs: 1.5 * H },
    ],
    [
      'spans before creation clamp to it, the latest then wins',
      [
        { at: '2026-05-30T10:00:00Z', status: 'open' },
        { at: '2026-05-31T10:00:00Z', status: 'pending' },
        { at: '2026-06-01T11:00:00Z', status: 'open' },
      ],
      { stage: 'running', elapsedMs: H },
    ],
    ['a first span after creation holds from creation', [{ at: '2026-06-01T11:00:00Z', status: 'pending' }], { stage: 'paused', elapsedMs: 0 }],
    [
      'spans after now are ignored',
      [
        { at: '2026-06-01T10:00:00Z', status: 'open' },
        { at: '2026-06-01T13:00:00Z', status: 'resolved' },
      ],
      { stage: 'running', elapsedMs: 2 * H, metAt: null },
    ],
    [
      'of two spans at one instant the later listed wins',
      [
        { at: '2026-06-01T10:00:00Z', status: 'open' },
        { at: '2026-06-01T11:00:00Z', status: 'resolved' },
        { at: '2026-06-01T11:00:00Z', status: 'open' },
      ],
      { stage: 'running', elapsedMs: 2 * H },
    ],
    ['a span with an unreadable time is skipped', [{ at: '2026-06-01T10:00:00Z', status: 'open' }, { at: 'yesterday', status: 'resolved' }], { stage: 'running', elapsedMs: 2 * H }],
    ['a ticket resolved from the start', [{ at: '2026-06-01T10:00:00Z', status: 'closed' }], { stage: 'met', elapsedMs: 0, metAt: '2026-06-01T10:00:00.000Z' }],
  ])('%s', (_what, statuses, expected) => {
    expect(run(statuses)).toMatchObject(expected);
  });

  it('a reading before creation counts nothing and is due a goal after creation', () => {
    expect(run([], '2026-06-01T09:00:00Z')).toMatchObject({ stage: 'running', elapsedMs: 0, remainingMs: 4 * H, dueAt: '2026-06-01T14:00:00.000Z' });
  });

  it('an unreadable createdAt is an error, not a guess', () => {
    expect(() => readClock({ history: { ...base, createdAt: 'soon', statuses: [] }, goals: { first_response: goal('1h'), resolution: null }, calendar: ROUND_THE_CLOCK, pauseStatuses: [], now: new Date() })).toThrow(/createdAt "soon"/);
  });
});

describe('readClock: purity and limits', () => {
  it('does not read the system clock, and gives JSON-safe numbers', () => {
    const input = clockInput({ calendar: 'berlin', created: '2026-06-12 16:00', fr: '1h', res: '4h', now: '2026-06-15 09:30' });
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => {
      throw new Error('Date.now called');
    });
    let once: TargetClock[];
    let twice: TargetClock[];
    try {
      once = readClock(input);
      twice = readClock(input);
    } finally {
      spy.mockRestore();
    }
    expect(twice).toEqual(once);
    expect(once).toHaveLength(2);
    expect(JSON.parse(JSON.stringify(once))).toEqual(once);
  });

  it('a calendar where every day is a holiday throws a clear error instead of looping', () => {
    const holidays: string[] = [];
    for (let d = DateTime.fromISO('2026-01-01', { zone: 'UTC' }); d.year < 2038; d = d.plus({ days: 1 })) holidays.push(d.toISODate()!);
    const closed = new BusinessCalendar({ timeZone: 'Europe/Berlin', workingDays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], hours: ['09:00-17:00'], holidays }, 'closed');
    const history: SlaHistory = { createdAt: '2026-06-01T10:00:00Z', statuses: [], firstResponseAt: null, priority: 'normal', basis: 'event' };
    expect(() => readClock({ history, goals: { first_response: goal('1h'), resolution: null }, calendar: closed, pauseStatuses: [], now: new Date('2026-06-02T10:00:00Z') })).toThrow(
      /calendar "closed" \(Europe\/Berlin\) has not enough working time within 10 years/,
    );
  });

  it('a ticket open for 2 years against 9-5', () => {
    const history: SlaHistory = { createdAt: '2024-06-03T07:00:00.000Z', statuses: [{ at: '2024-06-03T07:00:00.000Z', status: 'open' }], firstResponseAt: null, priority: 'low', basis: 'observed' };
    const input: ClockInput = { history, goals: { first_response: goal('1d'), resolution: goal('5d') }, calendar: cal('Europe/Berlin'), pauseStatuses: ['pending', 'on_hold'], now: new Date('2026-06-03T08:00:00Z') };
    const [fr, res] = readClock(input);
    expect(fr).toMatchObject({ stage: 'breached', breachedAt: '2024-06-03T15:00:00.000Z', elapsedMs: (522 * 8 + 1) * H }); // 522 working days, and 09:00-10:00 today
    expect(res).toMatchObject({ stage: 'breached', breachedAt: '2024-06-07T15:00:00.000Z' });
  });

  it('... and with a status change every day of the two years', () => {
    const statuses: SlaHistory['statuses'] = [{ at: '2024-06-03T07:00:00.000Z', status: 'open' }];
    for (let d = DateTime.fromISO('2024-06-03T12:00', { zone: 'Europe/Berlin' }); d.year < 2026 || d.month < 6; d = d.plus({ days: 1 })) {
      statuses.push({ at: d.toUTC().toISO()!, status: 'pending' }, { at: d.plus({ hours: 1 }).toUTC().toISO()!, status: 'open' });
    }
    const history: SlaHistory = { createdAt: '2024-06-03T07:00:00.000Z', statuses, firstResponseAt: '2024-06-03T07:30:00.000Z', priority: 'low', basis: 'observed' };
    const input: ClockInput = { history, goals: { first_response: goal('1d'), resolution: goal('5d') }, calendar: cal('Europe/Berlin'), pauseStatuses: ['pending', 'on_hold'], now: new Date('2026-06-03T08:00:00Z') };
    const [fr, res] = readClock(input);
    expect(fr).toMatchObject({ stage: 'met', elapsedMs: 30 * M });
    // 5d = 40 working hours, 7 a day with the daily pending hour: Monday 10 June, 15:00 CEST.
    // Counted: 7h on 520 working days, 8h on 1 and 2 June 2026 (no pause then), 1h this morning.
    expect(res).toMatchObject({ stage: 'breached', breachedAt: '2024-06-10T13:00:00.000Z', elapsedMs: (520 * 7 + 2 * 8 + 1) * H });
  });
});

describe('readClock at the instant of a change', () => {
  it('reads a ticket solved at exactly `now` as resolved: resolution met then, not running', () => {
    const created = '2026-03-02T09:00:00.000Z';
    const solved = '2026-03-02T09:00:14.000Z';
    const [response, resolution] = readClock({
      history: { createdAt: created, statuses: [{ at: created, status: 'open' }, { at: solved, status: 'resolved' }], firstResponseAt: solved, priority: 'normal', basis: 'observed' },
      goals: { first_response: { text: '8h', days: 0, minutes: 480 }, resolution: { text: '3d', days: 3, minutes: 0 } },
      calendar: ROUND_THE_CLOCK,
      pauseStatuses: ['pending', 'on_hold'],
      now: new Date(solved),
    });
    expect(response).toMatchObject({ stage: 'met', metAt: solved });
    expect(resolution).toMatchObject({ stage: 'met', metAt: solved, elapsedMs: 14_000 });
  });
});
