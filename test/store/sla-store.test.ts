import type { SlaState } from '../../src/domain/sla';
import type { EntityRef, Vendor } from '../../src/domain/ticket';
import type { EntitySnapshot, SlaRecord, Store } from '../../src/store/types';
import { describeEachStore } from '../helpers/stores';

/**
 * The SLA records of the Store (S1-S3) on every store kind (test/helpers/stores.ts): SQLite in
 * memory, SQLite on its own thread, PostgreSQL in a schema of its own per store (skipped
 * locally without a server, failing in CI).
 */

const T0 = new Date('2025-03-03T09:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);
const MIN = 60_000;
const HOUR = 60 * MIN;

const ref = (id: string, over: Partial<EntityRef> = {}): EntityRef => ({ vendor: 'freshdesk', connectionId: 'default', id, ...over });

/** A ticket's SLA as the clock leaves it: answered late, escalated once, a linked bug with a fix target. */
function realisticState(): SlaState {
  return {
    history: {
      createdAt: '2025-03-03T09:00:00.000Z',
      statuses: [
        { at: '2025-03-03T09:00:00.000Z', status: 'open' },
        { at: '2025-03-03T10:15:00.000Z', status: 'pending' },
        { at: '2025-03-03T13:40:00.000Z', status: 'in_progress' },
      ],
      firstResponseAt: '2025-03-03T10:15:00.000Z',
      priority: 'urgent',
      basis: 'observed',
    },
    trackedSince: '2025-03-03T09:00:05.000Z',
    targets: [
      {
        target: 'first_response',
        source: 'ours',
        goal: { text: '1h', days: 0, minutes: 60 },
        stage: 'met_late',
        elapsedMs: 75 * MIN,
        remainingMs: -15 * MIN,
        dueAt: '2025-03-03T10:00:00.000Z',
        breachedAt: '2025-03-03T10:00:00.000Z',
        metAt: '2025-03-03T10:15:00.000Z',
      },
      {
        target: 'resolution',
        source: 'helpdesk',
        goal: { text: '1d 4h', days: 1, minutes: 240 },
        stage: 'running',
        elapsedMs: 95 * MIN,
        remainingMs: 1.5e7 + 0.5,
        dueAt: '2025-03-04T17:10:00.000Z',
        breachedAt: null,
        metAt: null,
      },
    ],
    computedAt: '2025-03-03T14:00:00.000Z',
    calendar: 'emea-business-hours',
    escalations: [{ target: 'first_response', escalated: true, at: '2025-03-03T10:01:00.000Z', dueAt: '2025-03-03T10:00:00.000Z', lateMs: MIN, reassignedTo: 'cs-managers' }],
    fix: {
      issueKey: 'SUP-20',
      issueId: '10042',
      jiraPriority: 'Highest',
      goal: { text: '3d', days: 3, minutes: 0 },
      dueAt: '2025-03-06T11:30:00.000Z',
      doneAt: null,
      markedAt: null,
    },
  };
}

/** A small state for the listing tests (what is stored is what comes back, whatever it is). */
function smallState(note: string): SlaState {
  return {
    history: { createdAt: T0.toISOString(), statuses: [{ at: T0.toISOString(), status: 'open' }], firstResponseAt: null, priority: 'normal', basis: 'event' },
    trackedSince: T0.toISOString(),
    targets: [],
    computedAt: T0.toISOString(),
    calendar: note,
    escalations: [],
    fix: null,
  };
}

function record(ticket: EntityRef, over: Partial<SlaRecord> = {}): SlaRecord {
  return { ticket, state: smallState(ticket.id), open: true, nextCheckAt: null, updatedAt: T0, ...over };
}

function snapshot(ticket: EntityRef, deleted = false): EntitySnapshot {
  return { ref: ticket, data: { id: ticket.id, subject: `ticket ${ticket.id}`, status: 'open' }, vendorUpdatedAt: T0.toISOString(), savedAt: T0, deleted };
}

const key = (r: EntityRef) => `${r.vendor}/${r.connectionId}/${r.id}`;
/** The stores' order of keys: text byte by byte (SQLite's BINARY, PostgreSQL's "C"). */
const byteOrder = (a: EntityRef, b: EntityRef) => {
  for (const [x, y] of [
    [a.vendor, b.vendor],
    [a.connectionId, b.connectionId],
    [a.id, b.id],
  ] as const) {
    const c = Buffer.compare(Buffer.from(x), Buffer.from(y));
    if (c !== 0) return c;
  }
  return 0;
};

describeEachStore('store: SLA records', (makeStore) => {
  let store: Store;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(async () => {
    await store.close();
  });

  describe('save and get', () => {
    it('round-trips a realistic record: the state as saved, the times as Dates', async () => {
      const saved: SlaRecord = { ticket: ref('4711'), state: realisticState(), open: true, nextCheckAt: new Date('2025-03-04T17:10:00.000Z'), updatedAt: new Date('2025-03-03T14:00:00.123Z') };
      await store.saveSla(saved);
      const got = await store.getSla(ref('4711'));
      expect(got).toEqual(saved);
      // Dates, by their tag: those of the store thread are made outside jest's sandbox, whose Date is another.
      expect(Object.prototype.toString.call(got?.nextCheckAt)).toBe('[object Date]');
      expect(Object.prototype.toString.call(got?.updatedAt)).toBe('[object Date]');
      expect(got?.updatedAt.toISOString()).toBe('2025-03-03T14:00:00.123Z');
      expect(got?.state.targets.map((t) => t.stage)).toEqual(['met_late', 'running']);
    });

    it('returns null for a ticket without a record, on another connection or vendor too', async () => {
      await store.saveSla(record(ref('1')));
      expect(await store.getSla(ref('2'))).toBeNull();
      expect(await store.getSla(ref('1', { connectionId: 'other' }))).toBeNull();
      expect(await store.getSla(ref('1', { vendor: 'zendesk' }))).toBeNull();
    });

    it('replaces the whole record on a second save, null times included', async () => {
      const ticket = ref('77', { vendor: 'zendesk' });
      await store.saveSla({ ticket, state: realisticState(), open: true, nextCheckAt: at(HOUR), updatedAt: at(0) });
      const closed: SlaRecord = { ticket, state: smallState('after'), open: false, nextCheckAt: null, updatedAt: at(2 * HOUR) };
      await store.saveSla(closed);
      expect(await store.getSla(ticket)).toEqual(closed);
      expect(await store.listSla()).toEqual([closed]);
    });
  });

  describe('listSlaDue', () => {
    it('lists the records due at or before now, earliest first, up to the limit, never those without a check time', async () => {
      await store.saveSla(record(ref('late'), { nextCheckAt: at(3 * MIN) }));
      await store.saveSla(record(ref('now'), { nextCheckAt: at(5 * MIN) }));
      await store.saveSla(record(ref('earliest'), { nextCheckAt: at(-HOUR), open: false }));
      await store.saveSla(record(ref('future'), { nextCheckAt: at(5 * MIN + 1) }));
      await store.saveSla(record(ref('never'), { nextCheckAt: null }));
      await store.saveSla(record(ref('other-vendor', { vendor: 'zendesk' }), { nextCheckAt: at(MIN) }));

      const due = await store.listSlaDue(at(5 * MIN), 100);
      expect(due.map((r) => r.ticket.id)).toEqual(['earliest', 'other-vendor', 'late', 'now']);
      expect(due[0]?.nextCheckAt).toEqual(at(-HOUR));
      expect(due[0]?.state).toEqual(smallState('earliest'));

      expect((await store.listSlaDue(at(5 * MIN), 2)).map((r) => r.ticket.id)).toEqual(['earliest', 'other-vendor']);
      expect(await store.listSlaDue(at(-HOUR - 1), 100)).toEqual([]);
      expect((await store.listSlaDue(at(365 * 24 * HOUR), 100)).map((r) => r.ticket.id)).toEqual(['earliest', 'other-vendor', 'late', 'now', 'future']);
    });

    it('drops a record from the due list once a save clears or moves its check time', async () => {
      await store.saveSla(record(ref('a'), { nextCheckAt: at(0) }));
      await store.saveSla(record(ref('b'), { nextCheckAt: at(0) }));
      await store.saveSla(record(ref('a'), { nextCheckAt: null }));
      await store.saveSla(record(ref('b'), { nextCheckAt: at(HOUR) }));
      expect(await store.listSlaDue(at(MIN), 10)).toEqual([]);
      expect((await store.listSlaDue(at(HOUR), 10)).map((r) => r.ticket.id)).toEqual(['b']);
    });
  });

  describe('listSla', () => {
    // Ids that order differently as numbers and as text, two connections, both helpdesks.
    const tickets: EntityRef[] = [];
    for (const vendor of ['zendesk', 'freshdesk'] as Vendor[]) {
      for (const connectionId of ['partner-b', 'default']) {
        for (const id of ['9', '10', '100', '2', '21', 'A-1', 'a-1']) tickets.push({ vendor, connectionId, id });
      }
    }
    const sorted = [...tickets].sort(byteOrder);
    const isOpen = (t: EntityRef) => !['10', 'a-1'].includes(t.id);

    beforeEach(async () => {
      for (const t of tickets) await store.saveSla(record(t, { open: isOpen(t), nextCheckAt: at(Number(t.id) || 0) }));
    });

    it('lists every record in (vendor, connection, ticket id) order, ids as text byte by byte', async () => {
      const all = await store.listSla();
      expect(all.map((r) => key(r.ticket))).toEqual(sorted.map(key));
      expect(all.slice(0, 7).map((r) => r.ticket.id)).toEqual(['10', '100', '2', '21', '9', 'A-1', 'a-1']);
      expect(all[0]).toEqual(record({ vendor: 'freshdesk', connectionId: 'default', id: '10' }, { open: false, nextCheckAt: at(10) }));
    });

    it('filters by vendor, connection and open records', async () => {
      const zendesk = await store.listSla({ vendor: 'zendesk' });
      expect(zendesk.map((r) => key(r.ticket))).toEqual(sorted.filter((t) => t.vendor === 'zendesk').map(key));
      const partner = await store.listSla({ connectionId: 'partner-b' });
      expect(partner.map((r) => key(r.ticket))).toEqual(sorted.filter((t) => t.connectionId === 'partner-b').map(key));
      const open = await store.listSla({ vendor: 'freshdesk', connectionId: 'default', openOnly: true });
      expect(open.map((r) => r.ticket.id)).toEqual(['100', '2', '21', '9', 'A-1']);
      expect(open.every((r) => r.open)).toBe(true);
      expect(await store.listSla({ vendor: 'jira' })).toEqual([]);
    });

    it('pages with a keyset over several pages, each record once, in order', async () => {
      const seen: EntityRef[] = [];
      let after: EntityRef | undefined;
      let pages = 0;
      for (;;) {
        const page = await store.listSla({ limit: 5, ...(after ? { after } : {}) });
        pages += 1;
        seen.push(...page.map((r) => r.ticket));
        if (page.length < 5) break;
        after = page[page.length - 1]?.ticket;
      }
      expect(pages).toBe(6);
      expect(seen.map(key)).toEqual(sorted.map(key));
    });

    it('pages with filters: only open zendesk records, and across connections', async () => {
      const walk = async (filter: { vendor?: Vendor; connectionId?: string; openOnly?: boolean }, limit: number) => {
        const out: string[] = [];
        let after: EntityRef | undefined;
        for (let i = 0; i < 50; i++) {
          const page = await store.listSla({ ...filter, limit, ...(after ? { after } : {}) });
          out.push(...page.map((r) => key(r.ticket)));
          if (page.length < limit) return out;
          after = page[page.length - 1]?.ticket;
        }
        throw new Error('paging did not end');
      };
      expect(await walk({ vendor: 'zendesk', openOnly: true }, 3)).toEqual(sorted.filter((t) => t.vendor === 'zendesk' && isOpen(t)).map(key));
      expect(await walk({ connectionId: 'default' }, 4)).toEqual(sorted.filter((t) => t.connectionId === 'default').map(key));
      expect(await walk({ vendor: 'freshdesk', connectionId: 'partner-b' }, 2)).toEqual(sorted.filter((t) => t.vendor === 'freshdesk' && t.connectionId === 'partner-b').map(key));
    });

    it('takes `after` strictly, even a ticket without a record or outside the filter', async () => {
      const fromMiddle = await store.listSla({ after: { vendor: 'freshdesk', connectionId: 'partner-b', id: 'A-1' }, limit: 3 });
      expect(fromMiddle.map((r) => key(r.ticket))).toEqual(['freshdesk/partner-b/a-1', 'zendesk/default/10', 'zendesk/default/100']);
      const between = await store.listSla({ after: { vendor: 'freshdesk', connectionId: 'default', id: '20' }, limit: 2 });
      expect(between.map((r) => r.ticket.id)).toEqual(['21', '9']);
      // `after` before every zendesk record, after every one, and in another connection.
      expect((await store.listSla({ vendor: 'zendesk', after: { vendor: 'freshdesk', connectionId: 'zz', id: 'zz' } })).length).toBe(14);
      expect(await store.listSla({ vendor: 'freshdesk', after: { vendor: 'jira', connectionId: '', id: '' } })).toEqual([]);
      expect((await store.listSla({ vendor: 'zendesk', connectionId: 'partner-b', after: { vendor: 'zendesk', connectionId: 'default', id: 'zz' } })).length).toBe(7);
      expect(await store.listSla({ vendor: 'zendesk', connectionId: 'default', after: { vendor: 'zendesk', connectionId: 'partner-b', id: '' } })).toEqual([]);
      expect(await store.listSla({ after: sorted[sorted.length - 1] })).toEqual([]);
    });

    it('lists nothing with a limit of 0, and a whole page (default 1000) without a limit', async () => {
      expect((await store.listSla({ limit: 0 })).length).toBe(0);
      expect((await store.listSla({})).length).toBe(tickets.length);
    });
  });

  describe('listTicketsWithoutSla', () => {
    it('lists live helpdesk snapshots without a record, never deleted ones, Jira issues or tickets with one', async () => {
      const fd = (id: string, connectionId = 'default') => ref(id, { vendor: 'freshdesk', connectionId });
      const zd = (id: string, connectionId = 'default') => ref(id, { vendor: 'zendesk', connectionId });
      for (const t of [fd('1'), fd('2'), fd('10'), fd('3', 'eu'), zd('500'), zd('501'), zd('7', 'partner-b')]) await store.saveSnapshot(snapshot(t));
      await store.saveSnapshot(snapshot(fd('4'), true));
      await store.saveSnapshot(snapshot(zd('502'), true));
      await store.saveSnapshot(snapshot(ref('10001', { vendor: 'jira', connectionId: 'default' })));
      await store.saveSla(record(fd('2')));
      await store.saveSla(record(zd('501')));
      // A record without a snapshot is no ticket to list.
      await store.saveSla(record(zd('999')));

      expect((await store.listTicketsWithoutSla(100)).map(key)).toEqual([
        'freshdesk/default/1',
        'freshdesk/default/10',
        'freshdesk/eu/3',
        'zendesk/default/500',
        'zendesk/partner-b/7',
      ]);
      expect(await store.listTicketsWithoutSla(100)).toEqual([fd('1'), fd('10'), fd('3', 'eu'), zd('500'), zd('7', 'partner-b')]);

      // A ticket gets its record, a deleted one comes back, a live one is deleted.
      await store.saveSla(record(fd('10')));
      await store.saveSnapshot(snapshot(fd('4')));
      await store.saveSnapshot(snapshot(zd('500'), true));
      expect((await store.listTicketsWithoutSla(100)).map(key)).toEqual(['freshdesk/default/1', 'freshdesk/default/4', 'freshdesk/eu/3', 'zendesk/partner-b/7']);
      expect(await store.listTicketsWithoutSla(0)).toEqual([]);
    });

    it('pages with `after` in (vendor, connection, ticket id) order, across connections and vendors', async () => {
      const all: EntityRef[] = [];
      for (const vendor of ['zendesk', 'freshdesk'] as Vendor[]) {
        for (const connectionId of ['default', 'eu']) {
          for (let i = 1; i <= 12; i++) {
            const t = { vendor, connectionId, id: String(i * 7) };
            await store.saveSnapshot(snapshot(t, i % 5 === 0));
            if (i % 3 === 0) await store.saveSla(record(t));
            if (i % 5 !== 0 && i % 3 !== 0) all.push(t);
          }
        }
      }
      for (let i = 1; i <= 5; i++) await store.saveSnapshot(snapshot({ vendor: 'jira', connectionId: 'default', id: String(i) }));
      const expected = [...all].sort(byteOrder).map(key);
      expect(expected.length).toBe(24);

      for (const size of [1, 3, 7, 24, 50]) {
        const seen: string[] = [];
        let after: EntityRef | undefined;
        for (let n = 0; n < 100; n++) {
          const page = await store.listTicketsWithoutSla(size, after);
          expect(page.length).toBeLessThanOrEqual(size);
          seen.push(...page.map(key));
          if (page.length < size) break;
          after = page[page.length - 1];
        }
        expect(seen).toEqual(expected);
      }

      // `after` need not be a listed ticket: a Jira issue, one with a record, one that does not exist.
      expect((await store.listTicketsWithoutSla(2, { vendor: 'jira', connectionId: 'default', id: '1' })).map(key)).toEqual(expected.filter((k) => k.startsWith('zendesk/')).slice(0, 2));
      expect((await store.listTicketsWithoutSla(1, { vendor: 'freshdesk', connectionId: 'default', id: '21' })).map(key)).toEqual(['freshdesk/default/28']);
      expect((await store.listTicketsWithoutSla(2, { vendor: 'freshdesk', connectionId: 'zz', id: '' })).map(key)).toEqual(expected.filter((k) => k.startsWith('zendesk/')).slice(0, 2));
      expect(await store.listTicketsWithoutSla(10, { vendor: 'zendesk', connectionId: 'zz', id: '' })).toEqual([]);
    });
  });
});
