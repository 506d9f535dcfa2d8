import type { HelpdeskVendor } from '../domain/ticket';
import type { Handoff } from '../store/types';
import type { ConnectionRoles, Directory, PolicyRuleId, PolicySettings, Role, RuleMode } from './types';

/**
 * Modes when config names none: a rule that can correct enforces; one that cannot (a public
 * reply cannot be unsent, a missing note cannot be written for the agent) warns.
 */
export const DEFAULT_MODES: Record<PolicyRuleId, RuleMode> = {
  T1: 'enforce',
  T2: 'enforce',
  T3: 'enforce',
  T4: 'enforce',
  E1: 'enforce',
  E2: 'enforce',
  E3: 'enforce',
  E4: 'warn',
  E5: 'warn',
  H1: 'warn',
  H2: 'enforce',
  H3: 'warn',
  H4: 'enforce',
  H5: 'enforce',
  H6: 'enforce',
};

/** The roles configured for a connection (config `policy.roles['<vendor>/<id>']`), or null. */
export function resolveRoles(settings: PolicySettings, vendor: HelpdeskVendor, connectionId: string): ConnectionRoles | null {
  const raw = settings.roles[`${vendor}/${connectionId}`];
  if (!raw) return null;
  return {
    vendor,
    connectionId,
    frontlineGroups: new Set(raw.frontlineGroups),
    frontlineAgents: new Set(raw.frontlineAgents),
    firstEscalationGroup: raw.firstEscalationGroup ?? raw.tier2Group,
    firstEscalationAgents: new Set(raw.firstEscalationAgents),
    tier2Group: raw.tier2Group,
    managerGroups: new Set(raw.managerGroups),
    managerAgents: new Set(raw.managerAgents),
    smeGroups: new Set(raw.smeGroups),
    smeAgents: new Set(raw.smeAgents),
    integrationUserIds: new Set(raw.integrationUserIds),
    supportedOrganisations: raw.supportedOrganisations,
    modes: raw.modes,
  };
}

export function modeOf(rule: PolicyRuleId, settings: PolicySettings, roles: ConnectionRoles | null): RuleMode {
  return roles?.modes[rule] ?? settings.modes[rule] ?? DEFAULT_MODES[rule];
}

/** Ladder rules need a frontline and somewhere to escalate to. */
export function hasLadder(roles: ConnectionRoles | null): roles is ConnectionRoles {
  if (!roles) return false;
  const frontline = roles.frontlineGroups.size > 0 || roles.frontlineAgents.size > 0;
  const above =
    roles.firstEscalationGroup !== null ||
    roles.managerGroups.size > 0 ||
    roles.managerAgents.size > 0 ||
    roles.smeGroups.size > 0 ||
    roles.smeAgents.size > 0;
  return frontline && above;
}

/** Handoff rules H1-H6 apply wherever a Tier 2 group is configured. */
export function hasTier2(roles: ConnectionRoles | null): roles is ConnectionRoles & { tier2Group: string } {
  return !!roles && roles.tier2Group !== null && (roles.frontlineGroups.size > 0 || roles.frontlineAgents.size > 0);
}

export function groupRole(roles: ConnectionRoles, groupId: string | null): Role {
  if (groupId === null) return 'unknown';
  if (roles.managerGroups.has(groupId)) return 'manager';
  if (roles.smeGroups.has(groupId)) return 'sme';
  if (groupId === roles.firstEscalationGroup || groupId === roles.tier2Group) return 'firstEscalation';
  if (roles.frontlineGroups.has(groupId)) return 'frontline';
  return 'unknown';
}

/** Config lists first, then group memberships from the directory. Higher rungs win a tie. */
export function personRole(roles: ConnectionRoles, personId: string | null, directory?: Directory): Role {
  if (personId === null) return 'unknown';
  if (roles.integrationUserIds.has(personId)) return 'integration';
  if (roles.managerAgents.has(personId)) return 'manager';
  if (roles.smeAgents.has(personId)) return 'sme';
  if (roles.firstEscalationAgents.has(personId)) return 'firstEscalation';
  if (roles.frontlineAgents.has(personId)) return 'frontline';
  const groups = (directory?.people?.[personId]?.groupIds ?? []).map((g) => groupRole(roles, g));
  for (const role of ['manager', 'sme', 'firstEscalation', 'frontline'] as const) {
    if (groups.includes(role)) return role;
  }
  return 'unknown';
}

export interface Holder {
  groupId: string | null;
  assigneeId: string | null;
}

/**
 * Who holds a ticket, as a role. A Freshdesk ticket may stay in Client Success while assigned
 * to Zac "for internal review" (the Freshdesk ladder's manager review), so a known assignee's role wins over the group's.
 */
export function holderRole(roles: ConnectionRoles, holder: Holder, directory?: Directory): Role {
  const byPerson = personRole(roles, holder.assigneeId, directory);
  if (byPerson !== 'unknown' && byPerson !== 'integration') return byPerson;
  return groupRole(roles, holder.groupId);
}

/**
 * A person's role, also inferred from this ticket: whoever held it while it sat with the
 * first-escalation group is a first-escalation agent (a Tier 2 agent who pulled it, H3),
 * even when the directory does not list their groups.
 */
export function personRoleOnTicket(roles: ConnectionRoles, personId: string | null, holders: readonly Holder[], directory?: Directory): Role {
  const known = personRole(roles, personId, directory);
  if (known !== 'unknown' || personId === null) return known;
  for (const h of holders) {
    if (h.assigneeId === personId) {
      const role = groupRole(roles, h.groupId);
      if (role !== 'unknown') return role;
    }
  }
  return 'unknown';
}

/** Every (group, assignee) pair this ticket is known to have had, from the trail. */
export function holdersOfTrail(handoffs: readonly Handoff[]): Holder[] {
  return handoffs.flatMap((h) => [
    { groupId: h.fromGroupId, assigneeId: h.fromAssigneeId },
    { groupId: h.toGroupId, assigneeId: h.toAssigneeId },
  ]);
}

const ROLE_WORDS: Record<Role, string> = {
  frontline: 'the frontline team',
  firstEscalation: 'the first-escalation team',
  manager: 'the manager',
  sme: 'a subject-matter expert',
  integration: 'helpdesk-sync',
  unknown: 'another group',
};

export function personName(id: string | null, directory: Directory | undefined, fallback = 'an agent'): string {
  if (id === null) return fallback;
  return directory?.people?.[id]?.name ?? `agent ${id}`;
}

export function groupName(roles: ConnectionRoles, id: string | null, directory: Directory | undefined): string {
  if (id === null) return 'no group';
  return directory?.groups?.[id] ?? ROLE_WORDS[groupRole(roles, id)];
}
