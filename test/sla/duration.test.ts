import { formatSpan, goalMs, parseGoal } from '../../src/sla/duration';

const H = 3_600_000;
const M = 60_000;

describe('parseGoal', () => {
  it.each([
    ['1h', 0, 60],
    ['4h', 0, 240],
    ['3d', 3, 0],
    ['1d 4h', 1, 240],
    ['90m', 0, 90],
    [' 2H ', 0, 120],
    ['1h 30m', 0, 90],
    ['1h30m', 0, 90],
    ['2d 3h 15m', 2, 195],
    ['1d\t4h', 1, 240],
    ['0d 1h', 0, 60],
  ])('reads %j as %i days and %i minutes', (text, days, minutes) => {
    expect(parseGoal(text)).toEqual({ text: text.trim(), days, minutes });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'blank'],
    ['0h', 'zero'],
    ['0d 0m', 'zero in parts'],
    ['4h 1d', 'units out of order'],
    ['1h 2h', 'a unit twice'],
    ['abc', 'no number'],
    ['1.5h', 'a fraction'],
    ['-1h', 'negative'],
    ['4', 'no unit'],
    ['4 hours', 'a word'],
    ['1w', 'an unknown unit'],
    ['1h,2m', 'a separator'],
    ['99999999999999999d', 'too large to count in ms'],
  ])('rejects %j (%s)', (text) => {
    expect(parseGoal(text)).toBeNull();
  });

  it('keeps the configured text, trimmed, for notes', () => {
    expect(parseGoal('  1D 4h ')?.text).toBe('1D 4h');
  });
});

describe('goalMs', () => {
  it.each([
    ['1h', 24 * H, H],
    ['1d', 24 * H, 24 * H],
    ['1d', 8 * H, 8 * H],
    ['1d 4h', 8 * H, 12 * H],
    ['3d', 7 * H, 21 * H],
    ['90m', 8 * H, 90 * M],
  ])('%s with a %i ms day is %i ms', (text, dayMs, expected) => {
    expect(goalMs(parseGoal(text)!, dayMs)).toBe(expected);
  });
});

describe('formatSpan', () => {
  it.each([
    [0, '0m'],
    [29_999, '0m'],
    [30_000, '1m'],
    [90 * M, '1h 30m'],
    [59 * M + 31_000, '1h'],
    [H, '1h'],
    [24 * H, '1d'],
    [25 * H + 5 * M, '1d 1h 5m'],
    [2 * 24 * H + 7 * M, '2d 7m'],
    [-90 * M, '1h 30m'],
  ])('%i ms -> %j', (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });
});
