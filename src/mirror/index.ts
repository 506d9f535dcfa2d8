/**
 * The mirror (rules M1-M6): pure decisions of what flows between a ticket and its Jira issue.
 * It takes the pair and both sides' states and returns typed writes and decisions; the
 * executor in src/sync/ makes the writes.
 */
export { mirrorIssueToTicket, commentNotes, m1Key, type IssueToTicketInput } from './issue-to-ticket';
export { mirrorTicketToIssue, commentComments, m3Key, type TicketToIssueInput } from './ticket-to-issue';
export { reconcilePair, type ReconcileInput } from './reconcile';
export { DEFAULT_STATUS_MAP, holdsStatus, isDone, isSolved, jiraStatusesFor, statusMapFor } from './status-map';
export { isOurJiraChange, isOurJiraComment, isOurTicketChange, isOurTicketComment, writtenKeys } from './echo';
export type { Drift, LedgerView, MirrorIdentity, MirrorSettings, Pair, ReconcilePlan } from './types';
