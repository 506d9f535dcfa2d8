import { mirrorSchema, type MirrorConfig } from '../../src/config/schema';
import type { Plan, WriteAction } from '../../src/domain/actions';
import { diffTicket } from '../../src/domain/diff';
import { signatureText, signNote, refFor } from '../../src/domain/rules';
import type { JiraComment, JiraIssue, Ticket, TicketComment } from '../../src/domain/ticket';
import {
  mirrorIssueToTicket,
  mirrorTicketToIssue,
  statusMapFor,
  type LedgerView,
  type MirrorIdentity,
  type MirrorSettings,
  type Pair,
} from '../../src/mirror';
import { JIRA_USERS } from '../../src/sandbox/seed-people';
import { defaultJiraConfig } from '../jira/tickets';
import { comment, fd, minutesAfter, T0, ZD, zd, zdTicket } from '../policy/fixtures';

/**
 * The SUP-20 incident on a Zendesk Tier 1 ticket of the handoff scenario: Maria reports, Dana
 * owns, Priya (agent1) and Tomas (tech1) work the Jira side. The link is made ten minutes in;
 * everything before it is in the issue's description (J2).
 */
export { comment, fd, minutesAfter, T0, ZD, zd };

export const LINKED_AT = minutesAfter(T0, 10);
export const at = (minutes: number): string => minutesAfter(LINKED_AT, minutes);

export const jiraPeople = JIRA_USERS;
export const US_IN_JIRA = JIRA_USERS.integration.accountId;

export const STATUS = {
  open: { id: '1', name: 'Open', categoryKey: 'new' },
  wip: { id: '3', name: 'Work in progress', categoryKey: 'indeterminate' },
  pending: { id: '10003', name: 'Pending', categoryKey: 'indeterminate' },
  completed: { id: '10004', name: 'Completed', categoryKey: 'done' },
  closed: { id: '6', name: 'Closed', categoryKey: 'done' },
} satisfies Record<string, JiraIssue['status']>;

export function mirrorConfig(over: Partial<MirrorConfig> = {}): MirrorConfig {
  return { ...mirrorSchema.parse({ jiraIntegrationAccountIds: [US_IN_JIRA] }), ...over };
}

/** The shipped mirror defaults with the sandboxes' Jira integration account, for the ticket's connection. */
export function mirrorSettings(over: Partial<MirrorConfig> = {}, ticket: Pick<Ticket, 'vendor' | 'connectionId'> = { vendor: 'zendesk', connectionId: 'default' }): MirrorSettings {
  const config = mirrorConfig(over);
  return { config, priorityMap: defaultJiraConfig().priorityMap, statusMap: statusMapFor(config, ticket.vendor, ticket.connectionId) };
}

export const identity: MirrorIdentity = {
  helpdeskUserIds: new Set([zd.integration.id, fd.integration.id]),
  jiraAccountIds: new Set([US_IN_JIRA]),
};

let jiraSeq = 10100;

export function jiraComment(author: { accountId: string; displayName: string } | null, created: string, bodyText: string, over: Partial<JiraComment> = {}): JiraComment {
  jiraSeq += 1;
  return {
    id: String(jiraSeq),
    authorAccountId: author?.accountId ?? null,
    authorName: author?.displayName ?? null,
    bodyText,
    public: true,
    created,
    updated: created,
    ...over,
  };
}

/** SUP-20 as Jira has it right after it was raised. */
export function issue(over: Partial<JiraIssue> = {}): JiraIssue {
  return {
    connectionId: 'default',
    id: '10042',
    key: 'SUP-20',
    url: 'https://hypertvx.atlassian.net/browse/SUP-20',
    summary: 'System is down (ZD#7741)',
    status: STATUS.open,
    issueType: 'Bug',
    priority: 'High',
    labels: ['helpdesk-sync'],
    assigneeAccountId: null,
    resolution: null,
    created: at(0),
    updated: at(0),
    comments: [],
    ...over,
  };
}

/** Maria's ticket, owned by Dana, back in Dana's Tier 1 group. */
export function ticket(over: Partial<Ticket> = {}): Ticket {
  return zdTicket({ subject: 'System is down', assigneeId: zd.dana.id, priority: 'high', ...over });
}

export function pair(t: Pick<Ticket, 'vendor' | 'connectionId' | 'id'> = ticket(), over: Partial<Pair> = {}): Pair {
  return {
    ticket: { vendor: t.vendor, connectionId: t.connectionId, id: t.id },
    issue: { connectionId: 'default', id: '10042', key: 'SUP-20' },
    linkedAt: LINKED_AT,
    owner: { ownerId: zd.dana.id, ownerGroupId: ZD.tier1 },
    writes: [],
    ...over,
  };
}

export function ledger(key: string, kind: string, over: Partial<LedgerView> = {}): LedgerView {
  return { key, kind, ruleId: key.split(':')[0] ?? null, resultId: null, targetVendor: kind.startsWith('jira.') ? 'jira' : 'zendesk', at: at(1), ...over };
}

/** What the ledger holds after the executor made every write of a plan; `resultId` per action. */
export function recorded(plan: Plan, whenAt: string, resultId: (a: WriteAction, i: number) => string | null = () => null): LedgerView[] {
  return plan.actions.map((a, i) =>
    ledger(a.key, a.kind, { ruleId: a.rule, resultId: resultId(a, i), at: whenAt, targetVendor: a.kind.startsWith('jira.') ? 'jira' : (a.ticket.vendor as LedgerView['targetVendor']) }),
  );
}

/** A private note as helpdesk-sync writes it, read back from the helpdesk. */
export function ourNote(createdAt: string, rule: string, text: string): TicketComment {
  const html = signNote(`<p>${text}</p>`, rule, refFor(text));
  return { ...comment(zd.integration, createdAt, text), bodyHtml: html, bodyText: `${text}\n${signatureText(rule, refFor(text))}` };
}

/** A Jira comment as helpdesk-sync writes it, read back from Jira. */
export function ourJiraComment(created: string, rule: string, text: string): JiraComment {
  return jiraComment(JIRA_USERS.integration, created, `${text}\n\n${signatureText(rule, refFor(text))}`);
}

/** The issue event as the handler sees it. */
export function issueEvent(now: JiraIssue, over: Partial<Parameters<typeof mirrorIssueToTicket>[0]> = {}): Plan {
  return mirrorIssueToTicket({
    pair: pair(),
    issue: now,
    previous: null,
    previousSavedAt: null,
    ticket: ticket(),
    actorId: null,
    settings: mirrorSettings(),
    identity,
    now: new Date(now.updated),
    ...over,
  });
}

/** The ticket event as the handler sees it: the diff is taken from the two states. */
export function ticketEvent(now: Ticket, previous: Ticket | null, over: Partial<Parameters<typeof mirrorTicketToIssue>[0]> = {}): Plan {
  return mirrorTicketToIssue({
    pair: pair(now),
    ticket: now,
    previous,
    previousSavedAt: previous?.updatedAt ?? null,
    changes: diffTicket(previous, now),
    issue: issue(),
    actorId: null,
    settings: mirrorSettings({}, now),
    identity,
    now: new Date(now.updatedAt),
    ...over,
  });
}

export const kinds = (plan: Plan): string[] => plan.actions.map((a) => a.kind);
export const keys = (plan: Plan): string[] => plan.actions.map((a) => a.key);

export function only<K extends WriteAction['kind']>(plan: Plan, kind: K): Extract<WriteAction, { kind: K }> {
  const found = plan.actions.filter((a) => a.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, got ${found.length}: ${JSON.stringify(plan.actions.map((a) => a.key))}`);
  return found[0] as Extract<WriteAction, { kind: K }>;
}

/** Every action is asked for by some decision, and every decision's keys are actions of the plan. */
export function expectDecisionsCoverActions(plan: Plan): void {
  const asked = new Set(plan.decisions.flatMap((d) => d.actionKeys));
  expect(plan.actions.filter((a) => !asked.has(a.key)).map((a) => a.key)).toEqual([]);
  const made = new Set(plan.actions.map((a) => a.key));
  expect([...asked].filter((k) => !made.has(k))).toEqual([]);
}
