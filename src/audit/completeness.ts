import type { Ticket } from '../domain/ticket';
import { customFieldText, SECTION_NAMES, SECTION_TITLES, sectionsInText, type SectionFieldNames } from '../jira/sections';
import type { SectionName } from '../jira/types';
import type { Handoff, TicketLink, TicketOwner } from '../store/types';
import type { AuditSettings } from './settings';
import type { AuditCompleteness, AuditSection } from './types';

const TITLES: Record<AuditSection['name'], string> = {
  requester: 'Requester',
  internalContact: 'Internal contact',
  ticketInfo: 'Ticket information',
  communication: 'Communication so far',
  ...SECTION_TITLES,
  escalationTrail: 'Escalation trail',
};

/**
 * Which of steps, impact and environment the ticket holds, from its configured fields or from
 * headed sections of its plain text. The composer reads the HTML for the layout; for
 * presence the text the mappers already made is enough, and a page of pairs stays cheap.
 */
function sectionsPresent(ticket: Ticket, fieldNames: SectionFieldNames): Set<SectionName> {
  const found = new Set<SectionName>();
  for (const name of SECTION_NAMES) {
    const field = fieldNames[name];
    if (field && customFieldText(ticket.customFields[field]) !== null) found.add(name);
  }
  if (found.size === SECTION_NAMES.length) return found;
  for (const text of [ticket.descriptionText, ...ticket.comments.map((c) => c.bodyText)]) {
    const inText = sectionsInText(text);
    for (const name of SECTION_NAMES) if (inText[name]) found.add(name);
  }
  return found;
}

/**
 * J2 and J5: which parts of the content the pair has. The issue is composed from the
 * ticket, so the ticket's last snapshot says what the issue could carry; steps, impact and
 * environment of a bug are what the link recorded as missing at the raise and since (J5 empties
 * the list as follow-ups bring them), so they say what Jira holds, not what the ticket holds now.
 */
export function completenessOf(link: TicketLink, ticket: Ticket | null, owner: TicketOwner | null, handoffs: readonly Handoff[], settings: AuditSettings): AuditCompleteness {
  const bug = link.kind === 'bug';
  let fromTicket: Set<SectionName> | null = null;
  const hasSection = (name: SectionName): boolean => {
    if (bug && link.state === 'linked') return !link.missing.includes(name);
    if (!ticket) return false;
    fromTicket ??= sectionsPresent(ticket, settings.sectionFields[ticket.vendor]);
    return fromTicket.has(name);
  };
  const requester = ticket?.requester ?? null;
  const section = (name: AuditSection['name'], present: boolean, required = false): AuditSection => ({ name, title: TITLES[name], present, required });
  const sections: AuditSection[] = [
    section('requester', !!requester && !!(requester.name || requester.email)),
    section('internalContact', !!owner || !!ticket?.assigneeId),
    section('ticketInfo', ticket !== null),
    section('communication', !!ticket && (ticket.comments.length > 0 || ticket.descriptionText.trim() !== '')),
    ...SECTION_NAMES.map((name) => section(name, hasSection(name), bug)),
    section('escalationTrail', handoffs.length > 0),
  ];
  const missing = sections.filter((s) => s.required && !s.present).map((s) => s.name);
  return { sections, missing, needsInfo: bug && missing.length > 0, complete: missing.length === 0 };
}
