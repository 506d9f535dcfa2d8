import type { Decision } from '../store/types';
import type { AuditViolation } from './types';

type ActionLike = { kind?: unknown; type?: unknown; tag?: unknown; groupId?: unknown; assigneeId?: unknown; priority?: unknown; patch?: unknown };

/** What a recorded action did, in a lead's words. */
export function actionWords(action: unknown): string {
  if (typeof action === 'string') return action;
  const a = (action ?? {}) as ActionLike;
  const kind = typeof a.kind === 'string' ? a.kind : typeof a.type === 'string' ? a.type : 'action';
  switch (kind) {
    case 'privateNote':
    case 'helpdesk.note':
      return 'private note';
    case 'addTag':
      return `tag ${String(a.tag)} added`;
    case 'removeTag':
      return `tag ${String(a.tag)} removed`;
    case 'reassign':
      return a.assigneeId ? `reassigned to agent ${String(a.assigneeId)}` : a.groupId ? `reassigned to group ${String(a.groupId)}` : 'reassigned';
    case 'clearAssignee':
      return 'assignee cleared';
    case 'setOrganisation':
      return 'organisation set';
    case 'setPriority':
      return `priority set to ${String(a.priority)}`;
    case 'helpdesk.update':
      return 'ticket updated';
    case 'jira.comment':
      return 'Jira comment';
    case 'jira.transition':
      return 'Jira transition';
    case 'jira.edit':
      return 'Jira issue edited';
    default:
      return kind;
  }
}

export const isViolation = (d: Decision): boolean => d.verdict === 'violation' || d.verdict === 'corrected';

export function violationOf(d: Decision): AuditViolation {
  return {
    ruleId: d.ruleId,
    verdict: d.verdict === 'corrected' ? 'corrected' : 'violation',
    at: d.at.toISOString(),
    summary: d.summary,
    actorId: d.actorId,
    actions: d.actions.map(actionWords),
  };
}
