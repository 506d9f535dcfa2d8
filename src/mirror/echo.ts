import { isSigned } from '../domain/rules';
import type { CanonicalStatus, JiraComment, TicketComment, Vendor } from '../domain/ticket';
import { holdsStatus } from './status-map';
import type { LedgerView, MirrorIdentity, Pair } from './types';

/**
 * M5: what helpdesk-sync wrote itself is never mirrored back. A comment is ours when its
 * author is our API user, when it carries our signature, or when the ledger holds it as the
 * result of one of our writes.
 */

/** The vendor a write went to; rows without one are read from their kind. */
const targetOf = (w: LedgerView, pair: Pair): Vendor => w.targetVendor ?? (w.kind.startsWith('jira.') ? 'jira' : pair.ticket.vendor);

/**
 * The ids our writes made on one side. Per side, because a Jira comment id and a helpdesk
 * note id are different numbering spaces and may well be equal.
 */
function resultIds(pair: Pair, side: Vendor): Set<string> {
  const out = new Set<string>();
  for (const w of pair.writes) if (w.resultId !== null && targetOf(w, pair) === side) out.add(w.resultId);
  return out;
}

export function isOurTicketComment(comment: TicketComment, pair: Pair, identity: MirrorIdentity): boolean {
  if (comment.authorId !== null && identity.helpdeskUserIds.has(comment.authorId)) return true;
  return isSigned(comment.bodyText) || resultIds(pair, pair.ticket.vendor).has(comment.id);
}

export function isOurJiraComment(comment: JiraComment, pair: Pair, identity: MirrorIdentity): boolean {
  if (comment.authorAccountId !== null && identity.jiraAccountIds.has(comment.authorAccountId)) return true;
  return isSigned(comment.bodyText) || resultIds(pair, 'jira').has(comment.id);
}

/** A write after the last kept state: the state fetched now may hold it. */
const since = (at: string, savedAt: string | null) => savedAt === null || Date.parse(at) >= Date.parse(savedAt);

/**
 * A field change on Jira that our own write made: our account acted, or we moved the issue to
 * exactly that status (or set that field) since the last state we kept.
 */
export function isOurJiraChange(pair: Pair, actorId: string | null, identity: MirrorIdentity, kind: 'jira.transition' | 'jira.edit', result: string | null, previousSavedAt: string | null): boolean {
  if (actorId !== null && identity.jiraAccountIds.has(actorId)) return true;
  // A person's actor does not settle it: the events of our own writes are finished unread
  // (M5), so the state kept may predate them and a person's later event brings them along.
  return pair.writes.some(
    (w) => w.kind === kind && since(w.at, previousSavedAt) && (result === null || (w.resultId ?? '').toLowerCase() === result.toLowerCase()),
  );
}

/**
 * A ticket field change that the mirror's own write made (M2's status, the owner's return,
 * a reconcile repair): our API user acted, or the mirror set that status since the last state
 * we kept, whoever the event names. Writes of the policy engine (T3's priority, say) are not
 * the mirror's echo.
 */
export function isOurTicketChange(pair: Pair, actorId: string | null, identity: MirrorIdentity, previousSavedAt: string | null, status: CanonicalStatus): boolean {
  if (actorId !== null && identity.helpdeskUserIds.has(actorId)) return true;
  // As for Jira: a person's event may bring along our own earlier write, unread as an echo.
  const vendor = pair.ticket.vendor === 'jira' ? null : pair.ticket.vendor;
  return pair.writes.some((w) => {
    if (w.kind !== 'helpdesk.update' || (w.ruleId !== 'M2' && w.ruleId !== 'M6') || !since(w.at, previousSavedAt)) return false;
    const set = w.resultId?.startsWith('status:') ? (w.resultId.slice('status:'.length) as CanonicalStatus) : null;
    // We set in_progress; Zendesk and Freshdesk keep it, and show it back, as open.
    return set !== null && (set === status || (vendor !== null && holdsStatus(vendor, status, set)));
  });
}

/**
 * The keys already written. A row still `started` lost its answer: it is asked for again, so
 * the executor finds the write by its ref (or makes it) instead of the key being skipped for ever.
 */
export const writtenKeys = (pair: Pair): Set<string> => new Set(pair.writes.filter((w) => w.state !== 'started').map((w) => w.key));
