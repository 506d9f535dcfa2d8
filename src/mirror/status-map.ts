import type { MirrorConfig } from '../config/schema';
import type { CanonicalStatus, HelpdeskVendor, JiraIssue } from '../domain/ticket';

/**
 * M2's defaults: the usual Jira Software and Jira Service Management status names, and those of
 * the SUP-20 incident's service-desk workflow, as the linked ticket's status. While engineering has not
 * started, the ticket is still open with its agent; done statuses are M2's owner rule, not here.
 */
export const DEFAULT_STATUS_MAP: Readonly<Record<string, CanonicalStatus>> = {
  'to do': 'open',
  open: 'open',
  backlog: 'open',
  'selected for development': 'open',
  'waiting for support': 'open',
  reopened: 'open',
  'in progress': 'in_progress',
  'work in progress': 'in_progress',
  'in review': 'in_progress',
  'in development': 'in_progress',
  'in testing': 'in_progress',
  'code review': 'in_progress',
  investigating: 'in_progress',
  // Jira Service Management: handed to a higher tier, which is working on it.
  escalated: 'in_progress',
  'waiting for customer': 'pending',
  pending: 'pending',
  'on hold': 'on_hold',
  blocked: 'on_hold',
};

/** The status map of one helpdesk connection: its configured names over the defaults, keys lower-cased. */
export function statusMapFor(config: MirrorConfig, vendor: HelpdeskVendor, connectionId: string): Record<string, CanonicalStatus> {
  const own = config.statusMap[`${vendor}/${connectionId}`] ?? {};
  return { ...DEFAULT_STATUS_MAP, ...Object.fromEntries(Object.entries(own).map(([name, status]) => [name.trim().toLowerCase(), status])) };
}

/** Jira is done with the issue: a configured done status, or any status in Jira's done category. */
export function isDone(status: JiraIssue['status'], config: MirrorConfig): boolean {
  return status.categoryKey === 'done' || config.doneStatuses.some((s) => s.toLowerCase() === status.name.toLowerCase());
}

export const isSolved = (status: CanonicalStatus): boolean => status === 'resolved' || status === 'closed';

/**
 * How each helpdesk stores the statuses it has no value of its own for (the vendor mappers'
 * fallbacks): Zendesk keeps in_progress as open; Freshdesk keeps in_progress as open and
 * on_hold as pending. A ticket read back after we set in_progress says open, and that is not
 * drift.
 */
const STORED_AS: Readonly<Record<HelpdeskVendor, Partial<Record<CanonicalStatus, CanonicalStatus>>>> = {
  zendesk: { in_progress: 'open' },
  freshdesk: { in_progress: 'open', on_hold: 'pending' },
};

/** The ticket's status is `wanted` as far as its helpdesk can hold it. */
export function holdsStatus(vendor: HelpdeskVendor, actual: CanonicalStatus, wanted: CanonicalStatus): boolean {
  return actual === wanted || STORED_AS[vendor][wanted] === actual;
}

/** Jira status names that stand for a ticket status, for pushes where the helpdesk owns the status. */
export function jiraStatusesFor(status: CanonicalStatus, statusMap: Record<string, CanonicalStatus>, config: MirrorConfig): string[] {
  if (isSolved(status)) return [...config.doneStatuses];
  return Object.entries(statusMap)
    .filter(([, s]) => s === status)
    .map(([name]) => name);
}
