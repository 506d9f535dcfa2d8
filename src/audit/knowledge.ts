import type { Ticket } from '../domain/ticket';
import { isSolved } from '../mirror/status-map';
import { KNOWLEDGE_PARTS, missingKnowledge } from '../policy/knowledge';
import type { Decision, Handoff } from '../store/types';
import type { AuditSettings } from './settings';
import type { AuditKnowledge } from './types';

/**
 * E5 for a lead: an escalated ticket, once resolved, should say its outcome, its root cause
 * and what documentation was missing. Read from the ticket's last snapshot (fields first, then
 * headed private notes, as E5 itself reads them), beside E5's latest recorded verdict.
 */
export function knowledgeOf(ticket: Ticket | null, handoffs: readonly Handoff[], decisions: readonly Decision[], settings: AuditSettings): AuditKnowledge | null {
  const e5 = decisions.filter((d) => d.ruleId === 'E5');
  const latest = e5[e5.length - 1] ?? null;
  const escalated = handoffs.some((h) => h.direction === 'escalate') || e5.length > 0;
  const resolved = ticket ? isSolved(ticket.status) : latest !== null;
  if (!escalated || !resolved) return null;
  const missing: string[] = ticket ? missingKnowledge(ticket, settings.policy) : latest?.verdict === 'violation' ? [...KNOWLEDGE_PARTS] : [];
  return {
    captured: KNOWLEDGE_PARTS.filter((p) => !missing.includes(p)),
    missing,
    verdict: latest?.verdict ?? null,
    at: latest ? latest.at.toISOString() : null,
  };
}
