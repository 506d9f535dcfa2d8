import type { SlaState, TargetClock } from '../../src/domain/sla';
import { parseGoal } from '../../src/sla/duration';
import { breachKey, decideSla, nextCheckOf, type BreachSettings, type SlaDecideInput } from '../../src/sla/escalate';
import { observeTicket } from '../../src/sla/history';
import { FD, fdTicket, minutesAfter, T0 } from '../policy/fixtures';

const manager: BreachSettings = {
  tag: 'sla-breached',
  managerGroup: { id: FD.csManagement, name: 'CS Management' },
  managerGroups: new Set([FD.csManagement]),
  firstSightGraceMs: 24 * 3_600_000,
};

function clock(over: Partial<TargetClock> & Pick<TargetClock, 'target' | 'stage'>): TargetClock {
  return { source: 'ours', goal: parseGoal('1h'), elapsedMs: 0, remainingMs: 3_600_000, dueAt: minutesAfter(T0, 60), breachedAt: null, metAt: null, ...over };
}

const urgent = fdTicket({ priority: 'urgent', assigneeId: '43009817101' });
const breachedFirstResponse = clock({ target: 'first_response', stage: 'breached', elapsedMs: 80 * 60_000, remainingMs: -20 * 60_000, breachedAt: minutesAfter(T0, 60), dueAt: minutesAfter(T0, 60) });
const runningResolution = clock({ target: 'resolution', stage: 'running', goal: parseGoal('4h'), elapsedMs: 80 * 60_000, remainingMs: 160 * 60_000, dueAt: minutesAfter(T0, 240) });

function input(over: Partial<SlaDecideInput> = {}): SlaDecideInput {
  return {
    ticket: urgent,
    kept: null,
    history: observeTicket(null, urgent, null, 'new'),
    targets: [breachedFirstResponse, runningResolution],
    calendar: null,
    breach: manager,
    now: new Date(minutesAfter(T0, 80)),
    ...over,
  };
}

describe('S2: a breached target is escalated once', () => {
  it('a private note naming the target, due time and lateness, the tag, and the manager group', () => {
    const { plan, state } = decideSla(input({ kept: { trackedSince: T0 } as SlaState }));
    const note = plan.actions.find((a) => a.kind === 'helpdesk.note');
    expect(note).toMatchObject({ key: breachKey(urgent, 'first_response', 'note'), rule: 'S2' });
    expect(note?.kind === 'helpdesk.note' && note.html).toMatch(/SLA breached: first response.*target of 1h for urgent tickets.*due 2024-05-06 10:00 UTC.*20m late/);
    expect(note?.kind === 'helpdesk.note' && note.html).toMatch(/helpdesk-sync · rule S2 · ref /);
    expect(plan.actions.find((a) => a.kind === 'helpdesk.update')).toMatchObject({
      key: breachKey(urgent, 'first_response', 'update'),
      patch: { tags: { add: ['sla-breached'] }, groupId: FD.csManagement, assigneeId: null },
    });
    const s2 = plan.decisions.find((d) => d.ruleId === 'S2');
    expect(s2).toMatchObject({ verdict: 'corrected', key: breachKey(urgent, 'first_response', 'escalated') });
    expect(s2?.summary).toMatch(/first response target \(1h\) breached.*20m late; tagged sla-breached, escalated to CS Management/);
    expect(state.escalations).toEqual([{ target: 'first_response', escalated: true, at: minutesAfter(T0, 80), dueAt: minutesAfter(T0, 60), lateMs: 20 * 60_000, reassignedTo: FD.csManagement }]);
  });

  it('does nothing more once the escalation is kept (a second run, another path)', () => {
    const first = decideSla(input());
    const second = decideSla(input({ kept: first.state, now: new Date(minutesAfter(T0, 85)) }));
    expect(second.plan.actions).toEqual([]);
    expect(second.plan.decisions.filter((d) => d.ruleId === 'S2')).toEqual([]);
    expect(second.state.escalations).toHaveLength(1);
  });

  it('keys never depend on the time or the event: a crash before the state is kept repeats the same writes', () => {
    const a = decideSla(input());
    const b = decideSla(input({ now: new Date(minutesAfter(T0, 95)) }));
    expect(b.plan.actions.map((x) => x.key)).toEqual(a.plan.actions.map((x) => x.key));
    expect(b.plan.decisions.map((x) => x.key)).toEqual(a.plan.decisions.map((x) => x.key));
  });

  it('a ticket already with the manager is tagged and noted, not moved', () => {
    const { plan } = decideSla(input({ ticket: { ...urgent, groupId: FD.csManagement } }));
    expect(plan.actions.find((a) => a.kind === 'helpdesk.update')).toMatchObject({ patch: { tags: { add: ['sla-breached'] } } });
    expect(plan.actions.find((a) => a.kind === 'helpdesk.update' && 'groupId' in a.patch)).toBeUndefined();
    expect(plan.decisions.find((d) => d.ruleId === 'S2')?.verdict).toBe('violation');
  });

  it('without a manager group configured: note and tag only', () => {
    const { plan } = decideSla(input({ breach: { ...manager, managerGroup: null } }));
    expect(plan.actions.map((a) => a.kind)).toEqual(['helpdesk.note', 'helpdesk.update']);
    expect(plan.actions[1]).toMatchObject({ patch: { tags: { add: ['sla-breached'] } } });
  });

  it('a breach later met is recorded, not escalated again', () => {
    const first = decideSla(input());
    const late = clock({ target: 'first_response', stage: 'met_late', remainingMs: -25 * 60_000, breachedAt: minutesAfter(T0, 60), metAt: minutesAfter(T0, 85) });
    const { plan } = decideSla(input({ kept: first.state, targets: [late, runningResolution], now: new Date(minutesAfter(T0, 86)) }));
    expect(plan.actions).toEqual([]);
    expect(plan.decisions.find((d) => d.ruleId === 'S2')).toMatchObject({ verdict: 'info', key: breachKey(urgent, 'first_response', 'met-late') });
    expect(plan.decisions.find((d) => d.ruleId === 'S2')?.summary).toMatch(/met late.*25m after the target\); it had been escalated/);
  });

  it('met late before any check saw the breach: recorded, never escalated', () => {
    const late = clock({ target: 'first_response', stage: 'met_late', remainingMs: -2 * 60_000, breachedAt: minutesAfter(T0, 60), metAt: minutesAfter(T0, 62) });
    const { plan, state } = decideSla(input({ targets: [late] }));
    expect(plan.actions).toEqual([]);
    expect(plan.decisions.find((d) => d.ruleId === 'S2')?.summary).toMatch(/not escalated/);
    expect(state.escalations).toEqual([]);
  });

  it('a target that ran out long before helpdesk-sync first kept the ticket is recorded, not escalated', () => {
    const now = new Date('2024-06-01T12:00:00Z');
    const { plan, state } = decideSla(input({ now }));
    expect(plan.actions).toEqual([]);
    expect(plan.decisions.find((d) => d.ruleId === 'S2')).toMatchObject({ verdict: 'info', key: breachKey(urgent, 'first_response', 'before-tracking') });
    expect(state.escalations[0]).toMatchObject({ escalated: false });
    expect(nextCheckOf(state)).toEqual(new Date(minutesAfter(T0, 240)));
  });

  it('S1 records the targets once per priority and source', () => {
    const a = decideSla(input());
    const b = decideSla(input({ ticket: { ...urgent, priority: 'high' } }));
    expect(a.plan.decisions[0]).toMatchObject({ ruleId: 'S1', verdict: 'info', key: 'S1:freshdesk:default:2301:urgent:ours' });
    expect(a.plan.decisions[0]?.summary).toMatch(/urgent priority: first response 1h, resolution 4h; first response breached, was due .*; resolution due /);
    expect(b.plan.decisions[0]?.key).toBe('S1:freshdesk:default:2301:high:ours');
  });
});

describe('when the sla job looks next', () => {
  it('the earliest due time of a target not yet handled, or of an unmarked fix target', () => {
    const { state } = decideSla(input({ targets: [clock({ target: 'first_response', stage: 'running' }), runningResolution] }));
    expect(nextCheckOf(state)).toEqual(new Date(minutesAfter(T0, 60)));
    const fix = { issueKey: 'SUP-7', issueId: '10007', jiraPriority: 'Highest', goal: parseGoal('2d'), dueAt: minutesAfter(T0, 30), doneAt: null, markedAt: null };
    expect(nextCheckOf({ ...state, fix })).toEqual(new Date(minutesAfter(T0, 30)));
    expect(nextCheckOf({ ...state, fix: { ...fix, markedAt: T0 } })).toEqual(new Date(minutesAfter(T0, 60)));
  });

  it('nothing while every target is paused or met', () => {
    const { state } = decideSla(input({ targets: [clock({ target: 'first_response', stage: 'met', metAt: T0 }), clock({ target: 'resolution', stage: 'paused', dueAt: null })] }));
    expect(nextCheckOf(state)).toBeNull();
  });
});
