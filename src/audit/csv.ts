import { stringify } from 'csv-stringify/sync';
import type { AuditPair } from './types';

/** The CSV's columns, one row per pair: flat values a spreadsheet can filter on. */
export const CSV_COLUMNS: ReadonlyArray<[string, (p: AuditPair) => string | number | boolean | null]> = [
  ['vendor', (p) => p.ticket.vendor],
  ['connection', (p) => p.ticket.connectionId],
  ['ticket_id', (p) => p.ticket.id],
  ['ticket_url', (p) => p.ticket.url],
  ['subject', (p) => p.ticket.subject],
  ['ticket_status', (p) => p.ticket.status],
  ['priority', (p) => p.ticket.priority],
  ['requester', (p) => p.ticket.requester],
  ['owner', (p) => p.owner?.id ?? null],
  ['owner_name', (p) => p.owner?.name ?? null],
  ['jira_key', (p) => p.issue?.key ?? null],
  ['jira_url', (p) => p.issue?.url ?? null],
  ['jira_status', (p) => p.issue?.status ?? null],
  ['kind', (p) => p.link.kind],
  ['linked_at', (p) => p.link.linkedAt],
  ['complete', (p) => p.completeness.complete],
  ['missing_sections', (p) => p.completeness.missing.join(' ')],
  ['drift', (p) => p.drift.map((d) => d.field).join(' ')],
  ['sla', (p) => p.sla?.worst ?? null],
  ['fix_overdue', (p) => p.sla?.fix?.overdue ?? null],
  ['escalations', (p) => p.trail.escalations],
  ['round_trips', (p) => p.trail.roundTrips],
  ['violations', (p) => p.violations.map((v) => `${v.ruleId}:${v.verdict}`).join(' ')],
  ['knowledge_missing', (p) => p.knowledge?.missing.join(' ') ?? null],
  ['problems', (p) => p.problems.map((x) => `${x.ruleId} ${x.code}`).join('; ')],
];

const options = {
  // A cell a spreadsheet would run as a formula (= + - @, tab, CR first) is prefixed with '.
  escape_formulas: true,
  record_delimiter: 'windows' as const,
  cast: { boolean: (v: boolean) => (v ? 'yes' : 'no') },
};

export const csvHeader = (): string => stringify([CSV_COLUMNS.map(([name]) => name)], options);

export const csvRow = (pair: AuditPair): string => stringify([CSV_COLUMNS.map(([, cell]) => cell(pair) ?? '')], options);
