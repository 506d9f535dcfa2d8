import { stringify } from 'yaml';
import {
  FRESHDESK_AGENTS,
  FRESHDESK_COMPANIES,
  FRESHDESK_GROUPS,
  JIRA_USERS,
  ZENDESK_AGENTS,
  ZENDESK_GROUPS,
  ZENDESK_ORGANIZATIONS,
} from './seed-people';

const ids = (...values: Array<number | string>) => values.map(String);

/**
 * The roles of the scenarios' organisations as helpdesk-sync's `policy.roles` for the sandboxes'
 * default connections: the Freshdesk ladder and the Zendesk Tier 1 / Tier 2 handoff (docs/rules.md).
 */
export function sandboxPolicyYaml(): string {
  const roles = {
    'freshdesk/default': {
      frontlineGroups: ids(FRESHDESK_GROUPS.clientSuccess.id),
      firstEscalationGroup: String(FRESHDESK_GROUPS.appSupport.id),
      managerGroups: ids(FRESHDESK_GROUPS.csManagement.id),
      managerAgents: ids(FRESHDESK_AGENTS.zacWarren.id),
      smeGroups: ids(FRESHDESK_GROUPS.experts.id),
      smeAgents: ids(FRESHDESK_AGENTS.heather.id, FRESHDESK_AGENTS.tracey.id),
      integrationUserIds: ids(FRESHDESK_AGENTS.integration.id),
      supportedOrganisations: Object.values(FRESHDESK_COMPANIES).map((c) => ({ id: String(c.id), domains: [...c.domains] })),
    },
    'zendesk/default': {
      frontlineGroups: ids(ZENDESK_GROUPS.aegentTier1.id),
      tier2Group: String(ZENDESK_GROUPS.tier2.id),
      managerGroups: ids(ZENDESK_GROUPS.meiManagement.id),
      integrationUserIds: ids(ZENDESK_AGENTS.integration.id),
      supportedOrganisations: Object.values(ZENDESK_ORGANIZATIONS).map((o) => ({ id: String(o.id), domains: [...o.domains] })),
    },
  };
  // M5: the Jira account the sandboxes' JIRA_API_TOKEN belongs to.
  return stringify({ policy: { roles }, mirror: { jiraIntegrationAccountIds: [JIRA_USERS.integration.accountId] } });
}
