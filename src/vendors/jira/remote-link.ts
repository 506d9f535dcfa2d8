import type { Ticket } from '../../domain/ticket';
import type { JiraRemoteLink } from '../types';

const HELPDESK_NAMES = { freshdesk: 'Freshdesk', zendesk: 'Zendesk' } as const;

/**
 * J4's link from the issue back to its ticket, in Jira's remote-link shape. Jira nulls every
 * field an upsert by globalId leaves out, so the whole object is always built.
 */
export function ticketRemoteLink(ticket: Ticket, globalId: string, title: string): JiraRemoteLink {
  return {
    globalId,
    application: { type: `com.${ticket.vendor}`, name: HELPDESK_NAMES[ticket.vendor] },
    relationship: 'customer ticket',
    object: {
      url: ticket.url,
      title: title.slice(0, 255),
      summary: `Status ${ticket.status}${ticket.priority ? `, priority ${ticket.priority}` : ''}`,
      status: { resolved: ticket.status === 'resolved' || ticket.status === 'closed' },
    },
  };
}

/** JQL for the issues carrying one label, oldest first (J1 finds an issue an earlier attempt made). */
export function issuesWithLabelJql(label: string): string {
  return `labels = "${label.replace(/["\\]/g, '\\$&')}" ORDER BY created ASC`;
}
