/**
 * The sandbox account's configuration: the enums Freshdesk validates against (status, priority, source)
 * and the labels its automation placeholders render. Two custom statuses stand in for the ones
 * real accounts add; any other status of 6 or more is accepted too, because accounts differ.
 */

export const STATUS_LABELS: Readonly<Record<number, string>> = {
  2: 'Open',
  3: 'Pending',
  4: 'Resolved',
  5: 'Closed',
  6: 'Waiting on Customer',
  7: 'Waiting on Third Party',
};

export const PRIORITY_LABELS: Readonly<Record<number, string>> = {
  1: 'Low',
  2: 'Medium',
  3: 'High',
  4: 'Urgent',
};

/** Ticket sources the API accepts on create (1 Email ... 13 WhatsApp). */
export const TICKET_SOURCES: readonly number[] = [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13];
/** A ticket created through the API without a source counts as a portal ticket. */
export const DEFAULT_SOURCE = 2;

export const TICKET_TYPES: readonly string[] = ['Question', 'Incident', 'Problem', 'Feature Request', 'Refund'];

/** Custom ticket fields every ticket carries (null until set); other cf_ keys are accepted too. */
export const CUSTOM_FIELDS: readonly string[] = ['cf_jira_key', 'cf_escalation_tier'];

export function statusLabel(status: number): string {
  return STATUS_LABELS[status] ?? `Status ${status}`;
}

export function priorityLabel(priority: number): string {
  return PRIORITY_LABELS[priority] ?? `Priority ${priority}`;
}

export const isValidStatus = (value: number): boolean => Number.isInteger(value) && value >= 2;
export const isValidPriority = (value: number): boolean => Number.isInteger(value) && value >= 1 && value <= 4;

const HOUR = 3_600_000;
/**
 * The account's default SLA policy, calendar hours (round the clock), first response and
 * resolution per priority: urgent 1h/4h, high 4h/1d, medium 8h/3d, low 1d/5d, the targets
 * helpdesk-sync's own SLA config starts from, so both sources agree in the demo.
 */
export const SLA_HOURS: Readonly<Record<number, { firstResponse: number; resolution: number }>> = {
  1: { firstResponse: 24, resolution: 120 },
  2: { firstResponse: 8, resolution: 72 },
  3: { firstResponse: 4, resolution: 24 },
  4: { firstResponse: 1, resolution: 4 },
};

/**
 * Due dates from the ticket's creation, recomputed when its priority changes (as Freshdesk
 * does). Simplified: no business hours, and the timer does not stop while the ticket is
 * pending (Freshdesk's default "SLA timer off" for Pending would push due_by out on resume).
 */
export function dueDates(createdAt: string, priority: number): { frDueBy: string; dueBy: string } {
  const sla = SLA_HOURS[priority] ?? { firstResponse: 24, resolution: 120 };
  const start = Date.parse(createdAt);
  const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
  return { frDueBy: iso(start + sla.firstResponse * HOUR), dueBy: iso(start + sla.resolution * HOUR) };
}
