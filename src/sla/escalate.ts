import type { DecisionDraft, WriteAction } from '../domain/actions';
import type { SlaEscalation, SlaHistory, SlaState, SlaTargetName, TargetClock } from '../domain/sla';
import type { EntityRef, Ticket } from '../domain/ticket';
import { formatSpan } from './duration';
import { breachNote, TARGET_WORDS } from './notes';

/**
 * S1's record and S2's escalation, decided purely from the ticket's fresh state and what was
 * kept. Every write and decision carries a key made of the ticket and the target alone, so
 * whichever path and however many times the breach is seen (the sla job twice, two processes,
 * a crash half-way, a webhook after the due time), it is escalated once.
 */

/** A decision with the key that records it once. */
export interface SlaDecision extends DecisionDraft {
  key: string;
}

export interface SlaPlan {
  actions: WriteAction[];
  decisions: SlaDecision[];
}

export interface BreachSettings {
  tag: string;
  /** The group a breach moves the ticket to (the connection's first manager group), or null to leave it. */
  managerGroup: { id: string; name: string } | null;
  /** Groups that already count as the manager's: a ticket there is not moved again. */
  managerGroups: ReadonlySet<string>;
  /**
   * A target that ran out this long before helpdesk-sync first kept the ticket is recorded,
   * not escalated: tickets older than the installation would all escalate at once.
   */
  firstSightGraceMs: number;
}

export interface SlaDecideInput {
  ticket: Ticket;
  kept: SlaState | null;
  history: SlaHistory;
  targets: TargetClock[];
  calendar: string | null;
  breach: BreachSettings;
  now: Date;
}

export interface SlaOutcome {
  state: SlaState;
  plan: SlaPlan;
}

const refOf = (t: Ticket): EntityRef => ({ vendor: t.vendor, connectionId: t.connectionId, id: t.id });
const keyBase = (t: Ticket): string => `${t.vendor}:${t.connectionId}:${t.id}`;

/** The key of a breach's writes and decision: one per ticket and target, whatever else happens. */
export const breachKey = (t: Ticket, target: SlaTargetName, part: string): string => `S2:${keyBase(t)}:${target}:${part}`;

function dueText(clock: TargetClock): string {
  if (clock.stage === 'paused') return `${TARGET_WORDS[clock.target]} paused with ${formatSpan(clock.remainingMs)} left`;
  if (clock.stage === 'met') return `${TARGET_WORDS[clock.target]} met`;
  if (clock.stage === 'met_late') return `${TARGET_WORDS[clock.target]} met ${formatSpan(-clock.remainingMs)} late`;
  return `${TARGET_WORDS[clock.target]} ${clock.stage === 'breached' ? 'breached, was due' : 'due'} ${clock.breachedAt ?? clock.dueAt ?? 'unknown'}`;
}

/** S1: the targets that apply, recorded once per priority and source (a change records the new ones). */
function targetsDecision(input: SlaDecideInput): SlaDecision | null {
  if (!input.targets.length) return null;
  const { ticket } = input;
  const source = input.targets.some((c) => c.source === 'helpdesk') ? 'helpdesk' : 'ours';
  const goals = input.targets.map((c) => `${TARGET_WORDS[c.target]} ${c.goal ? c.goal.text : '(the helpdesk’s)'}`).join(', ');
  const summary = `${ticket.priority ?? 'no'} priority: ${goals}${input.calendar ? ` in business hours (${input.calendar})` : ''}${source === 'helpdesk' ? ', due times from the helpdesk’s SLA policy' : ''}; ${input.targets.map(dueText).join('; ')}`;
  return { ruleId: 'S1', verdict: 'info', summary, actorId: null, actionKeys: [], key: `S1:${keyBase(ticket)}:${ticket.priority ?? 'none'}:${source}` };
}

function escalate(input: SlaDecideInput, clock: TargetClock, plan: SlaPlan): SlaEscalation {
  const { ticket, breach, now } = input;
  const due = (clock.breachedAt ?? clock.dueAt) as string;
  const lateMs = Math.max(0, now.getTime() - Date.parse(due));
  const trackedSince = Date.parse(input.kept?.trackedSince ?? now.toISOString());
  const record = (escalated: boolean, reassignedTo: string | null): SlaEscalation => ({ target: clock.target, escalated, at: now.toISOString(), dueAt: due, lateMs, reassignedTo });
  if (Date.parse(due) < trackedSince - breach.firstSightGraceMs) {
    plan.decisions.push({
      ruleId: 'S2',
      verdict: 'info',
      summary: `${TARGET_WORDS[clock.target]} target ran out at ${due}, before helpdesk-sync kept this ticket (${new Date(trackedSince).toISOString()}); recorded, not escalated`,
      actorId: null,
      actionKeys: [],
      key: breachKey(ticket, clock.target, 'before-tracking'),
    });
    return record(false, null);
  }
  const move = breach.managerGroup && !(ticket.groupId && breach.managerGroups.has(ticket.groupId)) ? breach.managerGroup : null;
  const ref = refOf(ticket);
  const noteKey = breachKey(ticket, clock.target, 'note');
  const updateKey = breachKey(ticket, clock.target, 'update');
  plan.actions.push({ kind: 'helpdesk.note', key: noteKey, rule: 'S2', ticket: ref, html: breachNote(clock, ticket.priority, lateMs, breach.tag, move?.name ?? null, input.calendar, noteKey) });
  // Moving to the manager's group clears the assignee: the frontline agent is not a member
  // there (the helpdesks refuse such a pair), and the owner is kept by E1 regardless.
  plan.actions.push({ kind: 'helpdesk.update', key: updateKey, rule: 'S2', ticket: ref, patch: { tags: { add: [breach.tag] }, ...(move ? { groupId: move.id, assigneeId: null } : {}) } });
  plan.decisions.push({
    ruleId: 'S2',
    // corrected: moved on by us, as the policy engine's corrections are (its echo is recognised so).
    verdict: move ? 'corrected' : 'violation',
    summary: `${TARGET_WORDS[clock.target]} target${clock.goal ? ` (${clock.goal.text})` : ''} breached: due ${due}, ${formatSpan(lateMs)} late; tagged ${breach.tag}${move ? `, escalated to ${move.name}` : ''}`,
    actorId: ticket.assigneeId,
    actionKeys: [noteKey, updateKey],
    key: breachKey(ticket, clock.target, 'escalated'),
  });
  return record(true, move?.id ?? null);
}

/** The new SLA state of a ticket and what to write for it. */
export function decideSla(input: SlaDecideInput): SlaOutcome {
  const { kept, now } = input;
  const plan: SlaPlan = { actions: [], decisions: [] };
  const s1 = targetsDecision(input);
  if (s1) plan.decisions.push(s1);
  const escalations = [...(kept?.escalations ?? [])];
  for (const clock of input.targets) {
    const handled = escalations.find((x) => x.target === clock.target);
    if (clock.stage === 'breached' && !handled) escalations.push(escalate(input, clock, plan));
    if (clock.stage === 'met_late') {
      // A breach later met is recorded, never escalated (again).
      plan.decisions.push({
        ruleId: 'S2',
        verdict: 'info',
        summary: `${TARGET_WORDS[clock.target]} met late, at ${clock.metAt ?? 'an unknown time'} (${formatSpan(-clock.remainingMs)} after the target)${handled?.escalated ? '; it had been escalated' : '; not escalated'}`,
        actorId: null,
        actionKeys: [],
        key: breachKey(input.ticket, clock.target, 'met-late'),
      });
    }
  }
  const state: SlaState = {
    history: input.history,
    trackedSince: kept?.trackedSince ?? now.toISOString(),
    targets: input.targets,
    computedAt: now.toISOString(),
    calendar: input.calendar,
    escalations,
    fix: kept?.fix ?? null,
  };
  return { state, plan };
}

/** Closed for SLA purposes: resolved or closed. */
export const isOpen = (ticket: Pick<Ticket, 'status'>): boolean => ticket.status !== 'resolved' && ticket.status !== 'closed';

/**
 * When the sla job must look again: the earliest due time of a running target not yet
 * handled, or of a fix target not yet marked. Null when only a change to the ticket (an event)
 * can bring a breach.
 */
export function nextCheckOf(state: SlaState): Date | null {
  const times: number[] = [];
  for (const c of state.targets) {
    if ((c.stage === 'running' || c.stage === 'breached') && c.dueAt && !state.escalations.some((x) => x.target === c.target)) times.push(Date.parse(c.dueAt));
  }
  const fix = state.fix;
  if (fix?.dueAt && !fix.markedAt && !fix.doneAt) times.push(Date.parse(fix.dueAt));
  return times.length ? new Date(Math.min(...times)) : null;
}
