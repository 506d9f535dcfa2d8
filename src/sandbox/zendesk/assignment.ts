import { recordInvalid } from './errors';
import type { ZdGroup, ZdUser } from './model';
import type { ZendeskState } from './state';

export interface Assignment {
  groupId: number | null;
  assigneeId: number | null;
}

/** What the request asked for: undefined leaves a field alone, null clears it. */
export interface AssignmentInput {
  groupId?: number | null;
  assigneeId?: number | null;
}

function groupOf(state: ZendeskState, id: number): ZdGroup {
  const group = state.groups.get(id);
  if (!group) throw recordInvalid({ group_id: `Group: ${id} is invalid` });
  return group;
}

function agentOf(state: ZendeskState, id: number): ZdUser {
  const user = state.users.get(id);
  if (!user || user.role === 'end-user') throw recordInvalid({ assignee_id: `Assignee: ${id} is not an agent` });
  return user;
}

/**
 * Zendesk's group/assignee consistency, which the escalation rules (H2, H4, H6) depend on:
 * - group and assignee together: the assignee must be in that group, else 422;
 * - assignee alone: kept in the ticket's group if they belong to it, else the ticket moves to
 *   the assignee's default (first) group; an agent in no group cannot be assigned;
 * - group alone: the assignee stays only if they belong to the new group, else is cleared;
 * - assignee null clears the assignee and keeps the group.
 */
export function resolveAssignment(state: ZendeskState, current: Assignment, input: AssignmentInput): Assignment {
  const wantsGroup = input.groupId !== undefined;
  const wantsAssignee = input.assigneeId !== undefined;
  const group = wantsGroup && input.groupId !== null && input.groupId !== undefined ? groupOf(state, input.groupId) : null;
  const assignee = wantsAssignee && input.assigneeId !== null && input.assigneeId !== undefined ? agentOf(state, input.assigneeId) : null;

  if (wantsGroup && wantsAssignee) {
    if (!assignee) return { groupId: group?.id ?? null, assigneeId: null };
    if (!group) return { groupId: defaultGroup(assignee), assigneeId: assignee.id };
    if (!assignee.groupIds.includes(group.id)) {
      throw recordInvalid({ assignee_id: `Assignee: ${assignee.id} is not an agent in group ${group.name}` });
    }
    return { groupId: group.id, assigneeId: assignee.id };
  }
  if (wantsAssignee) {
    if (!assignee) return { groupId: current.groupId, assigneeId: null };
    if (current.groupId !== null && assignee.groupIds.includes(current.groupId)) return { groupId: current.groupId, assigneeId: assignee.id };
    return { groupId: defaultGroup(assignee), assigneeId: assignee.id };
  }
  if (wantsGroup) {
    const keep = current.assigneeId !== null && group !== null && (state.users.get(current.assigneeId)?.groupIds.includes(group.id) ?? false);
    return { groupId: group?.id ?? null, assigneeId: keep ? current.assigneeId : null };
  }
  return current;
}

function defaultGroup(assignee: ZdUser): number {
  const first = assignee.groupIds[0];
  if (first === undefined) throw recordInvalid({ assignee_id: `Assignee: ${assignee.id} is not a member of any group` });
  return first;
}
