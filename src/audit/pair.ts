import type { JiraIssue, Ticket } from '../domain/ticket';
import type { AuditFacts } from '../store/types';
import { completenessOf } from './completeness';
import { reconcileDrift, snapshotDrift } from './drift';
import { knowledgeOf } from './knowledge';
import { problemsOf } from './problems';
import type { AuditSettings } from './settings';
import { slaOf } from './sla';
import { trailOf } from './trail';
import type { AuditIssue, AuditPair, AuditTicket } from './types';
import { isViolation, violationOf } from './violations';

const iso = (d: Date) => d.toISOString();

function ticketOf(facts: AuditFacts, ticket: Ticket | null): AuditTicket {
  const ref = facts.link.ticket;
  const requester = ticket?.requester ?? null;
  return {
    vendor: ref.vendor as AuditTicket['vendor'],
    connectionId: ref.connectionId,
    id: ref.id,
    url: ticket?.url ?? null,
    subject: ticket?.subject ?? null,
    status: ticket?.status ?? null,
    vendorStatus: ticket?.vendorStatus ?? null,
    priority: ticket?.priority ?? null,
    groupId: ticket?.groupId ?? null,
    assigneeId: ticket?.assigneeId ?? null,
    requester: requester ? (requester.name ?? requester.email) : null,
    createdAt: ticket?.createdAt ?? null,
    updatedAt: ticket?.updatedAt ?? null,
  };
}

function issueOf(facts: AuditFacts, issue: JiraIssue | null): AuditIssue | null {
  const { link } = facts;
  if (!link.issueId || !link.issueKey) return null;
  return {
    connectionId: link.jiraConnectionId,
    id: link.issueId,
    key: link.issueKey,
    url: issue?.url ?? null,
    summary: issue?.summary ?? null,
    status: issue?.status.name ?? null,
    statusCategory: issue?.status.categoryKey ?? null,
    priority: issue?.priority ?? null,
    issueType: issue?.issueType ?? null,
    labels: issue?.labels ?? [],
    updatedAt: issue?.updated ?? null,
  };
}

/** A person's name as the ticket knows it: its assignee, or the author of one of its comments. */
function nameIn(ticket: Ticket | null, personId: string): string | null {
  if (!ticket) return null;
  if (ticket.assignee?.id === personId && ticket.assignee.name) return ticket.assignee.name;
  return ticket.comments.find((c) => c.author?.id === personId && c.author.name)?.author?.name ?? null;
}

/** A snapshot's data as the processor saved it: a deleted entity's last state is still its state. */
const dataOf = <T>(snapshot: AuditFacts['ticket']): T | null => (snapshot && snapshot.data ? (snapshot.data as T) : null);

/** A1: one linked pair judged from what the store kept, at `now`. Pure. */
export function auditPair(facts: AuditFacts, settings: AuditSettings, now: Date): AuditPair {
  const ticket = dataOf<Ticket>(facts.ticket);
  const issue = dataOf<JiraIssue>(facts.issue);
  const { link } = facts;
  const fromSnapshots = ticket && issue ? snapshotDrift(ticket, issue, settings) : [];
  const drift = [...fromSnapshots, ...reconcileDrift(facts.decisions, fromSnapshots)];
  const completeness = completenessOf(link, ticket, facts.owner, facts.handoffs, settings);
  const sla = slaOf(facts.sla?.state ?? null, now);
  const violations = facts.decisions.filter(isViolation).map(violationOf);
  const knowledge = knowledgeOf(ticket, facts.handoffs, facts.decisions, settings);
  const raiseStuck = link.state === 'creating' && now.getTime() - link.updatedAt.getTime() > settings.stuckRaiseMs;
  return {
    ticket: ticketOf(facts, ticket),
    issue: issueOf(facts, issue),
    link: { state: link.state, kind: link.kind, linkedAt: iso(link.createdAt), updatedAt: iso(link.updatedAt) },
    drift,
    completeness,
    sla,
    owner: facts.owner
      ? {
          id: facts.owner.ownerId,
          name: nameIn(ticket, facts.owner.ownerId),
          groupId: facts.owner.ownerGroupId,
          groupName: ticket && ticket.groupId === facts.owner.ownerGroupId ? (ticket.groupName ?? null) : null,
          since: iso(facts.owner.since),
          claimedAt: facts.owner.claimedAt ? iso(facts.owner.claimedAt) : null,
        }
      : null,
    trail: trailOf(facts.handoffs),
    violations,
    knowledge,
    problems: problemsOf({ raiseStuck, ticketSeen: ticket !== null, completeness, drift, sla, violations, knowledge }),
  };
}
