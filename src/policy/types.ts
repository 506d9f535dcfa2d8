import type { PolicyConfig, PolicyRuleId, RuleMode } from '../config/schema';
import type { TicketChanges } from '../domain/diff';
import type { CanonicalPriority, EntityRef, Ticket } from '../domain/ticket';
import type { Decision, Handoff, TicketOwner, Verdict } from '../store/types';

export type { PolicyRuleId, RuleMode };

/** The global policy settings (config `policy`); `roles` in it is read by resolveRoles only. */
export type PolicySettings = PolicyConfig;

/** Where a person or group stands on the ladder (docs/rules.md, "Roles"). */
export type Role = 'frontline' | 'firstEscalation' | 'manager' | 'sme' | 'integration' | 'unknown';

/** The roles of one connection, resolved from config for fast lookups. */
export interface ConnectionRoles {
  vendor: Ticket['vendor'];
  connectionId: string;
  frontlineGroups: ReadonlySet<string>;
  frontlineAgents: ReadonlySet<string>;
  /** App Support, or the Tier 2 group where only that is configured. */
  firstEscalationGroup: string | null;
  firstEscalationAgents: ReadonlySet<string>;
  /** Set: the handoff rules H1-H6 apply on this connection. */
  tier2Group: string | null;
  managerGroups: ReadonlySet<string>;
  managerAgents: ReadonlySet<string>;
  smeGroups: ReadonlySet<string>;
  smeAgents: ReadonlySet<string>;
  integrationUserIds: ReadonlySet<string>;
  supportedOrganisations: ReadonlyArray<{ id: string; domains: readonly string[] }>;
  modes: Partial<Record<PolicyRuleId, RuleMode>>;
}

/**
 * Names and group memberships the worker knows (from the vendor's agent and group lists).
 * Optional: notes fall back to role words, and people are then classified by config lists
 * and by what they held on this ticket.
 */
export interface Directory {
  people?: Record<string, { name?: string | null; groupIds?: readonly string[] }>;
  groups?: Record<string, string>;
}

/** What the middleware keeps about a ticket between events. */
export interface PolicyHistory {
  owner: TicketOwner | null;
  /** The handoff trail, oldest first (H5). */
  handoffs: Handoff[];
  /** Earlier decisions of this ticket, any order, as recorded by auditDecisions(). */
  decisions: Decision[];
}

export interface EarlierTicket {
  id: string;
  subject: string;
  createdAt: string;
  url?: string;
}

export interface PolicyInput {
  ticket: Ticket;
  previous: Ticket | null;
  /** diffTicket(previous, ticket). */
  changes: TicketChanges;
  history: PolicyHistory;
  /** resolveRoles(config.policy, vendor, connectionId); null: no roles configured (T1-T4 only). */
  roles: ConnectionRoles | null;
  settings: PolicySettings;
  /** Who made this change (the event's actor, else the newest comment's author); null if unknown. */
  actorId: string | null;
  now: Date;
  /** T4: the requester's other tickets (any order; this ticket is ignored if present). */
  recentTicketsOfRequester?: EarlierTicket[];
  /** T2: the vendor's organisations with their domains, besides the configured ones. */
  organisations?: ReadonlyArray<{ id: string; name?: string; domains: readonly string[] }>;
  directory?: Directory;
}

/** Every action carries a key derived from ticket, rule and what it answers: a retry never repeats it. */
export type PolicyAction =
  | { kind: 'privateNote'; idempotencyKey: string; html: string }
  | { kind: 'reassign'; idempotencyKey: string; groupId: string | null; assigneeId: string | null }
  | { kind: 'clearAssignee'; idempotencyKey: string }
  | { kind: 'setOrganisation'; idempotencyKey: string; organisationId: string }
  | { kind: 'addTag'; idempotencyKey: string; tag: string }
  | { kind: 'removeTag'; idempotencyKey: string; tag: string }
  | { kind: 'setPriority'; idempotencyKey: string; priority: CanonicalPriority; level: 'P1' | 'P2' | 'P3' | 'P4' };

export type PolicyActionKind = PolicyAction['kind'];

export interface PolicyDecision {
  ruleId: PolicyRuleId;
  verdict: Verdict;
  /** Who the decision is about (the agent whose change or comment was judged), if known. */
  actorId: string | null;
  summary: string;
  actions: PolicyAction[];
}

export interface PolicyResult {
  ticket: EntityRef;
  decisions: PolicyDecision[];
  /** E1/H6: the owner to store, when it is new or moves. */
  ownerUpdate: TicketOwner | null;
  /** H5: handoffs to append to the trail, oldest first. */
  handoffs: Handoff[];
  /** M5: set when the whole change was helpdesk-sync's own write, so nothing was judged. */
  echo: boolean;
}
