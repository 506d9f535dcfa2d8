import {
  backfillStart,
  changedIssuesJql,
  describeCursor,
  formatBackfillCursor,
  formatDuration,
  isNewer,
  jqlDateTime,
  judgeRecord,
  newestOf,
  parseBackfillCursor,
  pollSince,
  type ChangedRecord,
  type KeptState,
  type RecordVerdict,
} from '../../../src/sync/jobs/decide';
import { historyShare } from '../../../src/sync/jobs/progress';

const rec = (updatedAt: string, extra: Partial<ChangedRecord> = {}): ChangedRecord => ({ id: '5158', updatedAt, ...extra });
const kept = (vendorUpdatedAt: string | null, deleted = false): KeptState => ({ vendorUpdatedAt, deleted });

describe('M6 poll: which changed records go into the inbox', () => {
  const cases: Array<[string, ChangedRecord, KeptState | null, { mustBeKnown?: boolean; linked?: boolean }, RecordVerdict]> = [
    ['never seen: first sight', rec('2026-01-08T14:25:30Z'), null, {}, 'first-sight'],
    ['newer than the snapshot', rec('2026-01-08T14:25:31Z'), kept('2026-01-08T14:25:30Z'), {}, 'changed'],
    ['the webhook already brought this state', rec('2026-01-08T14:25:30Z'), kept('2026-01-08T14:25:30Z'), {}, 'unchanged'],
    ['older than the snapshot (overlap re-read)', rec('2026-01-08T14:20:00Z'), kept('2026-01-08T14:25:30Z'), {}, 'unchanged'],
    ['same instant, Jira spelling against ISO Z', rec('2026-01-08T14:25:30.000+0000'), kept('2026-01-08T14:25:30.000Z'), {}, 'unchanged'],
    ['same instant in another offset', rec('2026-01-08T15:25:30.000+0100'), kept('2026-01-08T14:25:30Z'), {}, 'unchanged'],
    ['deleted at the vendor, alive in our snapshot', rec('2026-01-08T15:00:00Z', { deleted: true }), kept('2026-01-08T14:25:30Z'), {}, 'deleted'],
    ['deleted and never seen: nothing to do', rec('2026-01-08T15:00:00Z', { deleted: true }), null, {}, 'unchanged'],
    ['deleted and already marked deleted', rec('2026-01-08T15:00:00Z', { deleted: true }), kept(null, true), {}, 'unchanged'],
    ['restored after we marked it deleted', rec('2026-01-08T15:00:00Z'), kept(null, true), {}, 'changed'],
    ['Jira issue without link or snapshot', rec('2026-01-08T15:00:00Z'), null, { mustBeKnown: true, linked: false }, 'not-ours'],
    ['Jira issue linked but never fetched', rec('2026-01-08T15:00:00Z'), null, { mustBeKnown: true, linked: true }, 'first-sight'],
    ['Jira issue with a snapshot, changed', rec('2026-01-08T15:00:00.000+0000'), kept('2026-01-08T14:00:00.000Z'), { mustBeKnown: true }, 'changed'],
  ];
  it.each(cases)('%s', (_what, record, state, options, verdict) => {
    expect(judgeRecord(record, state, options)).toBe(verdict);
  });

  it.each([
    ['2026-01-08T14:25:31Z', '2026-01-08T14:25:30Z', true],
    ['2026-01-08T14:25:30Z', '2026-01-08T14:25:30Z', false],
    ['2026-01-08T14:25:30Z', null, true],
    ['not a date', 'not a date', false],
    ['not a date', 'another', true],
  ] as const)('isNewer(%s, %s) is %s', (a, b, expected) => {
    expect(isNewer(a, b)).toBe(expected);
  });

  it('keeps the newest instant in the vendor\'s spelling', () => {
    expect(newestOf(null, [])).toBeNull();
    expect(newestOf('2026-01-08T14:00:00Z', ['2026-01-08T13:00:00Z'])).toBe('2026-01-08T14:00:00Z');
    expect(newestOf(null, ['2026-01-08T15:00:00.000+0100', '2026-01-08T14:30:00Z', 'garbage'])).toBe('2026-01-08T14:30:00Z');
  });
});

describe('M6 cursors', () => {
  const now = new Date('2026-01-08T15:00:00Z');
  it.each([
    ['first poll: jobs.firstPollLookbackMinutes back', null, '2026-01-08T14:00:00.000Z'],
    ['then the newest change seen minus the overlap', '2026-01-08T14:50:00Z', '2026-01-08T14:48:00.000Z'],
    ['Jira spelling', '2026-01-08T14:50:00.000+0000', '2026-01-08T14:48:00.000Z'],
    ['an unreadable cursor counts as none', 'MTczNjM0NjY2MC4wfHw1MTYxfA==', '2026-01-08T14:00:00.000Z'],
  ])('%s', (_what, cursor, since) => {
    expect(pollSince(cursor, now, 120, 60).toISOString()).toBe(since);
  });

  it.each([
    ['UTC', '2026-01-08T14:25:59Z', 'UTC', '2026-01-08 14:25'],
    ['a zone east of UTC (the API user in Berlin)', '2026-01-08T14:25:59Z', 'Europe/Berlin', '2026-01-08 15:25'],
    ['a zone west of UTC, across midnight', '2026-01-08T03:05:00Z', 'America/New_York', '2026-01-07 22:05'],
    ['summer time', '2026-07-08T14:25:00Z', 'Europe/Berlin', '2026-07-08 16:25'],
  ])('JQL date in %s', (_what, at, zone, literal) => {
    expect(jqlDateTime(new Date(at), zone)).toBe(literal);
  });

  it('writes bounded JQL, oldest change first', () => {
    const since = new Date('2026-01-08T14:25:40Z');
    expect(changedIssuesJql('SUP', since)).toBe('project = SUP AND updated >= "2026-01-08 14:25" ORDER BY updated ASC');
    expect(changedIssuesJql(null, since)).toBe('updated >= "2026-01-08 14:25" ORDER BY updated ASC');
  });

  it('round-trips a backfill cursor and resumes from it', () => {
    const zendesk = { since: '2026-01-01T00:00:00Z', position: '2026-02-01T10:00:00Z', after: 'MTczNjM0NjY2MC4wfHw1MTYxfA==', complete: false };
    expect(parseBackfillCursor(formatBackfillCursor(zendesk))).toEqual(zendesk);
    expect(backfillStart(zendesk)).toEqual({ after: zendesk.after });
    const freshdesk = { ...zendesk, after: null };
    expect(backfillStart(freshdesk)).toEqual({ since: new Date('2026-02-01T10:00:00Z') });
    expect(backfillStart({ ...freshdesk, position: null })).toEqual({ since: new Date('2026-01-01T00:00:00Z') });
    expect(parseBackfillCursor('{"since":"nope"}')).toBeNull();
    expect(parseBackfillCursor('not json')).toBeNull();
    expect(parseBackfillCursor(null)).toBeNull();
  });

  it('tells each cursor\'s lag', () => {
    const saved = new Date('2026-01-08T14:59:15Z');
    expect(describeCursor({ name: 'poll:zendesk:default', value: 'MTcz', updatedAt: saved }, now)).toMatchObject({ kind: 'poll', vendor: 'zendesk', connectionId: 'default', position: null, lagMs: 45_000 });
    expect(describeCursor({ name: 'poll:jira:default', value: '2026-01-08T14:00:00.000+0000', updatedAt: saved }, now)).toMatchObject({ position: '2026-01-08T14:00:00.000+0000', lagMs: 45_000 });
    const walking = formatBackfillCursor({ since: '2026-01-01T00:00:00Z', position: '2026-01-08T12:00:00Z', after: null, complete: false });
    expect(describeCursor({ name: 'backfill:freshdesk:default', value: walking, updatedAt: saved }, now)).toMatchObject({ kind: 'backfill', complete: false, lagMs: 3 * 3600_000 });
    const done = formatBackfillCursor({ since: '2026-01-01T00:00:00Z', position: '2026-01-08T12:00:00Z', after: null, complete: true });
    expect(describeCursor({ name: 'backfill:freshdesk:default', value: done, updatedAt: saved }, now)).toMatchObject({ complete: true, lagMs: 0 });
  });

  it.each([
    [450, '450 ms'],
    [1500, '1.5 s'],
    [45_000, '45 s'],
    [12 * 60_000, '12 min'],
    [(3 * 60 + 5) * 60_000, '3 h 5 min'],
    [52 * 3600_000, '2 d 4 h'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('measures the history a walk has covered for the progress bar', () => {
    const since = new Date('2026-01-08T13:00:00Z');
    expect(historyShare('2026-01-08T14:00:00Z', since, now)).toBe(0.5);
    expect(historyShare(null, since, now)).toBeNull();
    expect(historyShare('2026-01-08T16:00:00Z', since, now)).toBe(1);
  });
});
