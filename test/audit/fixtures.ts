import type { AuditSettings } from '../../src/audit/settings';
import type { SlaState } from '../../src/domain/sla';
import type { JiraIssue, Ticket } from '../../src/domain/ticket';
import type { AuditFacts, Decision, Handoff, TicketLink } from '../../src/store/types';
import { defaultJiraConfig } from '../jira/tickets';
import { issue, LINKED_AT, mirrorConfig, STATUS, ticket } from '../mirror/fixtures';
import { handoff, owner, settings, zd, ZD } from '../policy/fixtures';

export { issue, STATUS, ticket };

export function auditSettingsForTest(over: Partial<AuditSettings> = {}): AuditSettings {
  const jira = defaultJiraConfig();
  return { mirror: mirrorConfig(), sectionFields: jira.sectionFields, priorityMap: jira.priorityMap, policy: settings(), stuckRaiseMs: 15 * 60_000, ...over };
}

export function linkOf(t: Ticket, over: Partial<TicketLink> = {}): TicketLink {
  return {
    ticket: { vendor: t.vendor, connectionId: t.connectionId, id: t.id },
    jiraConnectionId: 'default',
    issueId: '10042',
    issueKey: 'SUP-20',
    state: 'linked',
    kind: 'bug',
    missing: [],
    createdAt: new Date(LINKED_AT),
    updatedAt: new Date(LINKED_AT),
    ...over,
  };
}

export function decisionOf(t: Ticket, ruleId: string, verdict: Decision['verdict'], at: string, summary: string, actions: unknown[] = []): Decision {
  return { ticket: { vendor: t.vendor, connectionId: t.connectionId, id: t.id }, ruleId, verdict, actorId: null, at: new Date(at), summary, actions, eventId: null };
}

/** Maria's ticket escalated by Dana to Tier 2 and handed back once. */
export function trail(t: Ticket, atEscalate: string, atHandback: string): Handoff[] {
  return [
    handoff(t, { at: atEscalate, actorId: zd.dana.id, direction: 'escalate', fromGroupId: ZD.tier1, toGroupId: ZD.tier2, fromAssigneeId: zd.dana.id, toAssigneeId: null }),
    handoff(t, { at: atHandback, actorId: zd.li.id, direction: 'handback', fromGroupId: ZD.tier2, toGroupId: ZD.tier1, fromAssigneeId: zd.li.id, toAssigneeId: zd.dana.id }),
  ];
}

export function facts(t: Ticket | null, i: JiraIssue | null, over: Partial<AuditFacts> = {}, base: Ticket = ticket()): AuditFacts {
  const subject = t ?? base;
  return {
    link: linkOf(subject),
    ticket: t ? { ref: { vendor: t.vendor, connectionId: t.connectionId, id: t.id }, data: t, vendorUpdatedAt: t.updatedAt, savedAt: new Date(t.updatedAt), deleted: false } : null,
    issue: i ? { ref: { vendor: 'jira', connectionId: 'default', id: i.id }, data: i, vendorUpdatedAt: i.updated, savedAt: new Date(i.updated), deleted: false } : null,
    owner: owner(subject, zd.dana, ZD.tier1),
    sla: null,
    handoffs: [],
    decisions: [],
    ...over,
  };
}

/** An urgent ticket whose first response ran an hour over: breached, escalated once (S2). */
export function breachedSla(t: Ticket, computedAt: string): SlaState {
  return {
    history: { createdAt: t.createdAt, statuses: [{ at: t.createdAt, status: 'open' }], firstResponseAt: null, priority: 'urgent', basis: 'observed' },
    trackedSince: t.createdAt,
    targets: [
      { target: 'first_response', source: 'ours', goal: { text: '1h', days: 0, minutes: 60 }, stage: 'breached', elapsedMs: 2 * 3_600_000, remainingMs: -3_600_000, dueAt: null, breachedAt: '2024-05-06T10:00:00.000Z', metAt: null },
      { target: 'resolution', source: 'ours', goal: { text: '4h', days: 0, minutes: 240 }, stage: 'running', elapsedMs: 2 * 3_600_000, remainingMs: 2 * 3_600_000, dueAt: '2024-05-06T13:00:00.000Z', breachedAt: null, metAt: null },
    ],
    computedAt,
    calendar: null,
    escalations: [{ target: 'first_response', escalated: true, at: '2024-05-06T10:05:00.000Z', dueAt: '2024-05-06T10:00:00.000Z', lateMs: 300_000, reassignedTo: ZD.management }],
    fix: null,
  };
}
