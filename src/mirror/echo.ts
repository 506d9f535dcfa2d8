import { isSigned } from '../domain/rules';
import type { JiraComment, TicketComment } from '../domain/ticket';
import type { MirrorIdentity, Pair } from './types';

/**
 * M5: what helpdesk-sync wrote itself is never mirrored back. A comment is ours when its
 * author is our API user, when it carries our signature, or when the ledger holds it as the
 * result of one of our writes.
 */
function resultIds(pair: Pair): Set<string> {
  return new Set(pair.writes.map((w) => w.resultId).filter((id): id is string => id !== null));
}

export function isOurTicketComment(comment: TicketComment, pair: Pair, identity: MirrorIdentity): boolean {
  if (comment.authorId !== null && identity.helpdeskUserIds.has(comment.authorId)) return true;
  return isSigned(comment.bodyText) || resultIds(pair).has(comment.id);
}

export function isOurJiraComment(comment: JiraComment, pair: Pair, identity: MirrorIdentity): boolean {
  if (comment.authorAccountId !== null && identity.jiraAccountIds.has(comment.authorAccountId)) return true;
  return isSigned(comment.bodyText) || resultIds(pair).has(comment.id);
}

const since = (at: string, savedAt: string | null) => savedAt === null || Date.parse(at) >= Date.parse(savedAt) - 1000;

/**
 * A field change on Jira that our own write made: our account acted, or we moved the issue to
 * exactly that status (or set that field) since the last state we kept.
 */
export function isOurJiraChange(pair: Pair, actorId: string | null, identity: MirrorIdentity, kind: 'jira.transition' | 'jira.edit', result: string | null, previousSavedAt: string | null): boolean {
  if (actorId !== null && identity.jiraAccountIds.has(actorId)) return true;
  return pair.writes.some(
    (w) => w.kind === kind && since(w.at, previousSavedAt) && (result === null || (w.resultId ?? '').toLowerCase() === result.toLowerCase()),
  );
}

/**
 * A ticket field change that the mirror's own write made (M2's status, the owner's return,
 * a reconcile repair): our API user acted, or the mirror updated the ticket since the last
 * state we kept. Writes of the policy engine (T3's priority, say) are not the mirror's echo.
 */
export function isOurTicketChange(pair: Pair, actorId: string | null, identity: MirrorIdentity, previousSavedAt: string | null, status: string): boolean {
  if (actorId !== null && identity.helpdeskUserIds.has(actorId)) return true;
  return pair.writes.some(
    (w) => w.kind === 'helpdesk.update' && (w.ruleId === 'M2' || w.ruleId === 'M6') && w.resultId === `status:${status}` && since(w.at, previousSavedAt),
  );
}

export const writtenKeys = (pair: Pair): Set<string> => new Set(pair.writes.map((w) => w.key));
