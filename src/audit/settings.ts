import type { Config, JiraIssuesConfig, MirrorConfig, PolicyConfig } from '../config/schema';

/** What the audit's judgements depend on, taken once from the configuration. */
export interface AuditSettings {
  mirror: MirrorConfig;
  /** J2's custom fields of steps, impact and environment, per helpdesk. */
  sectionFields: JiraIssuesConfig['sectionFields'];
  /** M6: a ticket priority's Jira name. */
  priorityMap: JiraIssuesConfig['priorityMap'];
  /** E5's fields and headings. */
  policy: PolicyConfig;
  stuckRaiseMs: number;
}

export function auditSettings(config: Config): AuditSettings {
  return {
    mirror: config.mirror,
    sectionFields: config.jiraIssues.sectionFields,
    priorityMap: config.jiraIssues.priorityMap,
    policy: config.policy,
    stuckRaiseMs: config.audit.stuckRaiseMinutes * 60_000,
  };
}
