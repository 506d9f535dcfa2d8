import type { CalendarConfig, PriorityTargets, SlaConfig } from '../config/schema';
import type { Goal, SlaTargetName } from '../domain/sla';
import type { CanonicalPriority, CanonicalStatus, HelpdeskVendor } from '../domain/ticket';

/** One helpdesk connection's service levels, resolved from config `sla`. */
export interface ConnectionSla {
  key: string;
  source: 'ours' | 'helpdesk';
  targets: Record<CanonicalPriority, PriorityTargets>;
  noPriority: CanonicalPriority;
  /** The calendar's name (its config key) and settings; null counts round the clock. */
  calendar: { name: string; config: CalendarConfig } | null;
  pauseStatuses: readonly CanonicalStatus[];
}

export const connectionKey = (vendor: HelpdeskVendor, connectionId: string): string => `${vendor}/${connectionId}`;

/** A connection's own entry, else `default`. */
export function slaSettingsFor(config: SlaConfig, vendor: HelpdeskVendor, connectionId: string): ConnectionSla | null {
  const key = connectionKey(vendor, connectionId);
  const targets = config.targets[key] ?? config.targets.default;
  if (!targets) return null;
  const calendarKey = config.calendars[key] ? key : config.calendars.default ? 'default' : null;
  return {
    key,
    source: config.sources[key] ?? config.source,
    targets,
    noPriority: config.noPriority,
    calendar: calendarKey ? { name: calendarKey, config: config.calendars[calendarKey] as CalendarConfig } : null,
    pauseStatuses: config.pauseStatuses,
  };
}

/** The goals of a priority (the ticket's current one: a change recomputes from the start). */
export function goalsFor(settings: ConnectionSla, priority: CanonicalPriority | null): Record<SlaTargetName, Goal | null> {
  const t = settings.targets[priority ?? settings.noPriority];
  return { first_response: t.firstResponse, resolution: t.resolution };
}
