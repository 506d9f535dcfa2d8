import type { EntityRef } from '../domain/ticket';
import type { AuditFacts, Decision, Store } from '../store/types';
import { auditPair } from './pair';
import type { AuditSettings } from './settings';
import { DIRECTION_WORDS, handoffOf } from './trail';
import type { AuditDetail } from './types';
import { actionWords } from './violations';

/** One pair's facts through the single-ticket reads; null when the ticket has no link. */
export async function pairFacts(store: Store, ref: EntityRef): Promise<{ facts: AuditFacts; decisions: Decision[] } | null> {
  const link = await store.getLinkByTicket(ref);
  if (!link) return null;
  const [ticket, issue, owner, sla, handoffs, decisions] = await Promise.all([
    store.getSnapshot(ref),
    link.issueId ? store.getSnapshot({ vendor: 'jira', connectionId: link.jiraConnectionId, id: link.issueId }) : Promise.resolve(null),
    store.getOwner(ref),
    store.getSla(ref),
    store.listHandoffs(ref),
    store.listDecisions({ ticket: ref }),
  ]);
  // auditPair picks the decisions it judges from all of them.
  return { facts: { link, ticket, issue, owner, sla, handoffs, decisions }, decisions };
}

/** The detail view: the pair, every decision, and its story in time order. Pure. */
export function auditDetail(facts: AuditFacts, decisions: readonly Decision[], settings: AuditSettings, now: Date): AuditDetail {
  const pair = auditPair(facts, settings, now);
  const timeline: AuditDetail['timeline'] = [];
  timeline.push({ at: pair.link.linkedAt, kind: 'raised', ruleId: 'J1', verdict: null, text: pair.issue ? `Jira ${pair.link.kind ?? 'issue'} ${pair.issue.key} raised` : 'Jira raise begun (still under way)' });
  for (const h of facts.handoffs.map(handoffOf)) {
    timeline.push({ at: h.at, kind: 'handoff', ruleId: 'H5', verdict: null, text: `${DIRECTION_WORDS[h.direction] ?? h.direction} from ${h.from ?? 'nobody'} to ${h.to ?? 'nobody'}${h.actorId ? ` by ${h.actorId}` : ''}${h.commentId ? ` (comment ${h.commentId})` : ''}` });
  }
  for (const d of decisions) {
    if (d.verdict === 'ok') continue;
    timeline.push({ at: d.at.toISOString(), kind: 'decision', ruleId: d.ruleId, verdict: d.verdict, text: `${d.verdict}: ${d.summary}` });
  }
  for (const x of pair.sla?.escalations ?? []) {
    timeline.push({ at: x.at, kind: 'sla', ruleId: 'S2', verdict: x.escalated ? 'corrected' : 'info', text: `${x.target.replace('_', ' ')} breach ${x.escalated ? 'escalated' : 'recorded (older than tracking)'}` });
  }
  timeline.sort((a, b) => a.at.localeCompare(b.at));
  return {
    ...pair,
    decisions: decisions.map((d) => ({ ruleId: d.ruleId, verdict: d.verdict, at: d.at.toISOString(), summary: d.summary, actorId: d.actorId, actions: d.actions.map(actionWords) })),
    timeline,
  };
}
