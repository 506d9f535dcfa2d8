import { firstResponseOf, isAgentReply, observeTicket } from '../../src/sla/history';
import { comment, fd, fdTicket, minutesAfter, T0, zd, zdTicket } from '../policy/fixtures';

describe('S1 first response: the first public reply by an agent', () => {
  it('ignores private notes, the requester, and the message that opened the ticket', () => {
    const opening = comment(zd.omar, T0, 'Logged for Tom on the phone: every meter offline.', true);
    const note = comment(zd.omar, minutesAfter(T0, 5), 'Checking the gateway.', false);
    const requester = comment(zd.tom, minutesAfter(T0, 10), 'Any news?', true);
    const reply = comment(zd.omar, minutesAfter(T0, 42), 'We are on it: the gateway restarted at 07:10.', true);
    const ticket = zdTicket({ requester: zd.tom, comments: [opening, note, requester, reply] });
    expect([opening, note, requester, reply].map((c) => isAgentReply(ticket, c))).toEqual([false, false, false, true]);
    expect(firstResponseOf(ticket)).toBe(minutesAfter(T0, 42));
  });

  it('is null while nobody answered', () => {
    expect(firstResponseOf(fdTicket({ comments: [comment(fd.sam, minutesAfter(T0, 3), 'internal', false)] }))).toBeNull();
  });
});

describe('SLA history kept from each read', () => {
  it('a new ticket starts with its status at creation', () => {
    const h = observeTicket(null, fdTicket(), null, 'new');
    expect(h).toEqual({ createdAt: '2024-05-06T09:00:00.000Z', statuses: [{ at: '2024-05-06T09:00:00.000Z', status: 'open' }], firstResponseAt: null, priority: 'normal', basis: 'observed' });
  });

  it('a change is put at the ticket’s updated_at', () => {
    const first = observeTicket(null, fdTicket(), null, 'new');
    const pending = observeTicket(first, fdTicket({ status: 'pending', updatedAt: minutesAfter(T0, 90) }), null, 'snapshot');
    const again = observeTicket(pending, fdTicket({ status: 'pending', updatedAt: minutesAfter(T0, 95) }), null, 'snapshot');
    expect(again.statuses).toEqual([
      { at: '2024-05-06T09:00:00.000Z', status: 'open' },
      { at: '2024-05-06T10:30:00.000Z', status: 'pending' },
    ]);
  });

  it('first sight mid-life: the status the event says it left holds from creation, the current one from updated_at', () => {
    const now = fdTicket({ status: 'pending', updatedAt: minutesAfter(T0, 300) });
    const h = observeTicket(null, now, fdTicket({ status: 'open' }), 'event');
    expect(h.statuses.map((s) => s.status)).toEqual(['open', 'pending']);
    expect(h.basis).toBe('event');
    // Nothing said: assumed open until the last change.
    expect(observeTicket(null, now, null, 'unknown')).toMatchObject({ basis: 'assumed', statuses: [{ status: 'open' }, { status: 'pending', at: minutesAfter(T0, 300) }] });
  });

  it('a first response once kept stays, and the priority follows the ticket', () => {
    const reply = comment(fd.sam, minutesAfter(T0, 30), 'Looking into it', true);
    const h1 = observeTicket(null, fdTicket({ comments: [reply] }), null, 'new');
    const h2 = observeTicket(h1, fdTicket({ comments: [], priority: 'urgent', updatedAt: minutesAfter(T0, 60) }), null, 'snapshot');
    expect(h2).toMatchObject({ firstResponseAt: minutesAfter(T0, 30), priority: 'urgent' });
  });

  it('a change can never go back before the last one kept (clocks of two systems)', () => {
    const h1 = observeTicket(null, fdTicket({ status: 'pending', updatedAt: minutesAfter(T0, 60) }), fdTicket(), 'event');
    const h2 = observeTicket(h1, fdTicket({ status: 'open', updatedAt: minutesAfter(T0, 30) }), null, 'snapshot');
    expect(h2.statuses[2]).toEqual({ at: minutesAfter(T0, 60), status: 'open' });
  });
});
