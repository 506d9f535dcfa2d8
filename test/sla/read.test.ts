import { slaSchema } from '../../src/config/schema';
import { observeTicket } from '../../src/sla/history';
import { readTargets, resolvedAt } from '../../src/sla/read';
import { slaSettingsFor } from '../../src/sla/settings';
import { comment, fd, fdTicket, minutesAfter, T0 } from '../policy/fixtures';

const helpdesk = slaSettingsFor(slaSchema.parse({ source: 'helpdesk' }), 'freshdesk', 'default')!;

describe('S1 with sla.source: helpdesk — the helpdesk’s own due times win', () => {
  const sla = { firstResponse: { dueAt: minutesAfter(T0, 60), stage: null }, resolution: { dueAt: minutesAfter(T0, 240), stage: null } };

  it('running before the due time, breached after it', () => {
    const t = fdTicket({ priority: 'urgent', helpdeskSla: sla });
    const h = observeTicket(null, t, null, 'new');
    const before = readTargets(h, t, helpdesk, new Date(minutesAfter(T0, 30))).targets;
    expect(before.map((c) => [c.target, c.stage, c.dueAt, c.source])).toEqual([
      ['first_response', 'running', minutesAfter(T0, 60), 'helpdesk'],
      ['resolution', 'running', minutesAfter(T0, 240), 'helpdesk'],
    ]);
    const after = readTargets(h, t, helpdesk, new Date(minutesAfter(T0, 61))).targets;
    expect(after[0]).toMatchObject({ stage: 'breached', breachedAt: minutesAfter(T0, 60), remainingMs: -60_000 });
  });

  it('met or met late by our record of the first reply and of the resolution', () => {
    const t = fdTicket({ helpdeskSla: sla, status: 'resolved', updatedAt: minutesAfter(T0, 300), comments: [comment(fd.sam, minutesAfter(T0, 45), 'Fixed the export settings', true)] });
    const h = observeTicket(null, t, fdTicket(), 'event');
    expect(resolvedAt(h)).toBe(minutesAfter(T0, 300));
    const [first, resolution] = readTargets(h, t, helpdesk, new Date(minutesAfter(T0, 400))).targets;
    expect(first).toMatchObject({ stage: 'met', metAt: minutesAfter(T0, 45) });
    expect(resolution).toMatchObject({ stage: 'met_late', breachedAt: minutesAfter(T0, 240), metAt: minutesAfter(T0, 300) });
  });

  it('paused while waiting on the requester (Freshdesk says no stage), or when Zendesk says paused', () => {
    const t = fdTicket({ helpdeskSla: sla, status: 'pending', updatedAt: minutesAfter(T0, 20) });
    const h = observeTicket(null, t, fdTicket(), 'event');
    expect(readTargets(h, t, helpdesk, new Date(minutesAfter(T0, 500))).targets.map((c) => c.stage)).toEqual(['paused', 'paused']);
    const zd = fdTicket({ helpdeskSla: { firstResponse: { dueAt: null, stage: 'paused' }, resolution: null } });
    expect(readTargets(observeTicket(null, zd, null, 'new'), zd, helpdesk, new Date(minutesAfter(T0, 500))).targets).toEqual([
      expect.objectContaining({ target: 'first_response', stage: 'paused', dueAt: null }),
    ]);
  });

  it('no due time from the helpdesk, no target', () => {
    const t = fdTicket({ helpdeskSla: null });
    expect(readTargets(observeTicket(null, t, null, 'new'), t, helpdesk, new Date()).targets).toEqual([]);
  });
});

describe('the connection’s SLA settings', () => {
  const config = slaSchema.parse({
    sources: { 'zendesk/partner-b': 'helpdesk' },
    targets: { default: { urgent: { firstResponse: '1h', resolution: '4h' }, high: { firstResponse: '4h', resolution: '1d' }, normal: { firstResponse: '8h', resolution: '3d' }, low: { firstResponse: '1d', resolution: '5d' } }, 'freshdesk/default': { urgent: { firstResponse: '30m', resolution: '2h' }, high: { firstResponse: '2h', resolution: '8h' }, normal: { firstResponse: '4h', resolution: '2d' }, low: { firstResponse: '1d', resolution: '5d' } } },
    calendars: { default: { timeZone: 'Europe/Berlin', hours: '09:00-17:00' } },
  });

  it('a connection’s own entry, else default', () => {
    expect(slaSettingsFor(config, 'freshdesk', 'default')?.targets.urgent.firstResponse.text).toBe('30m');
    expect(slaSettingsFor(config, 'zendesk', 'default')?.targets.urgent.firstResponse.text).toBe('1h');
    expect(slaSettingsFor(config, 'zendesk', 'partner-b')?.source).toBe('helpdesk');
    expect(slaSettingsFor(config, 'zendesk', 'default')).toMatchObject({ source: 'ours', calendar: { name: 'default', config: { timeZone: 'Europe/Berlin', workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: ['09:00-17:00'], holidays: [] } } });
  });

  it('the defaults a support team would recognise', () => {
    const d = slaSettingsFor(slaSchema.parse({}), 'freshdesk', 'default')!;
    expect(Object.fromEntries(Object.entries(d.targets).map(([p, t]) => [p, `${t.firstResponse.text}/${t.resolution.text}`]))).toEqual({ urgent: '1h/4h', high: '4h/1d', normal: '8h/3d', low: '1d/5d' });
    expect(d.pauseStatuses).toEqual(['pending', 'on_hold']);
  });

  it('refuses what is not a duration, a time zone or working hours, saying what it expected', () => {
    const bad = slaSchema.safeParse({ targets: { default: { urgent: { firstResponse: 'soon', resolution: '4h' } } }, calendars: { default: { timeZone: 'Mars/Olympus', hours: '17:00-09:00' } } });
    expect(bad.success).toBe(false);
    const messages = bad.success ? [] : bad.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'targets.default.urgent.firstResponse: expected a duration such as 30m, 1h, 4h, 3d or 1d 4h',
        'calendars.default.timeZone: expected an IANA time zone such as Europe/Berlin or America/New_York',
        'calendars.default.hours: expected the end of the working hours after their start',
      ]),
    );
  });
});
