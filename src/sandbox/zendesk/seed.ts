import { ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_ORGANIZATIONS, ZENDESK_REQUESTERS } from '../seed-people';
import type { ZdRole } from './model';
import { readTicketBody } from './requests';
import type { ZendeskState } from './state';
import { createTicket, updateTicket } from './tickets';

/**
 * Admins may write as another user (comment author_id, submitter_id): helpdesk-sync's own
 * user, and Kim Dupont, MEI's manager. Everyone else in ZENDESK_AGENTS is an agent.
 */
const ADMINS: readonly number[] = [ZENDESK_AGENTS.integration.id, ZENDESK_AGENTS.kimManager.id];

/** Ticket ids of the seeded world, for tests and the demo. */
export const SEEDED_TICKETS = {
  /** Maria Keller (YCDSB), claimed and answered by Dana Fox in the Tier 1 group: open. */
  dashboardNoData: 5150,
  /** Tom Becker (Managing Energy), in the Tier 1 group, unclaimed: new (ready for an H6 claim). */
  exportFails: 5151,
} as const;

/**
 * The people of the Tier 1 / Tier 2 handoff (seed-people.ts) and two existing tickets. The tickets are written
 * through the same operations as the API, before any webhook target exists, so they have
 * audits and comments like any other ticket and fire nothing.
 */
export function seedZendesk(state: ZendeskState): void {
  const at = state.timestamp();
  for (const g of Object.values(ZENDESK_GROUPS)) state.groups.set(g.id, { id: g.id, name: g.name, createdAt: at, updatedAt: at });
  for (const o of Object.values(ZENDESK_ORGANIZATIONS)) {
    state.organizations.set(o.id, { id: o.id, name: o.name, domainNames: [...o.domains], createdAt: at, updatedAt: at });
  }
  for (const a of Object.values(ZENDESK_AGENTS)) {
    const role: ZdRole = ADMINS.includes(a.id) ? 'admin' : 'agent';
    const organizationId = state.organizationForEmail(a.email)?.id ?? null;
    state.users.set(a.id, { id: a.id, name: a.name, email: a.email, role, organizationId, groupIds: [...a.groupIds], apiToken: a.apiKey, createdAt: at, updatedAt: at });
  }
  for (const r of Object.values(ZENDESK_REQUESTERS)) {
    state.users.set(r.id, { id: r.id, name: r.name, email: r.email, role: 'end-user', organizationId: r.organisationId, groupIds: [], apiToken: null, createdAt: at, updatedAt: at });
  }

  const admin = ZENDESK_AGENTS.integration.id;
  const tier1 = ZENDESK_GROUPS.aegentTier1.id;
  const maria = ZENDESK_REQUESTERS.maria.id;
  const first = createTicket(
    state,
    admin,
    readTicketBody({
      ticket: {
        subject: 'Energy dashboard shows no data for St. Luke',
        submitter_id: maria,
        requester_id: maria,
        comment: { body: 'Since Monday the energy dashboard for St. Luke Catholic Elementary shows no readings.\n\nOther schools look fine.' },
        group_id: tier1,
        priority: 'high',
        type: 'problem',
        tags: ['dashboard'],
      },
    }),
  );
  updateTicket(
    state,
    ZENDESK_AGENTS.danaFox.id,
    first.ticket.id,
    readTicketBody({ ticket: { assignee_id: ZENDESK_AGENTS.danaFox.id, comment: { body: 'Thanks Maria, we are looking into it.', public: true } } }),
  );

  const tom = ZENDESK_REQUESTERS.tom.id;
  createTicket(
    state,
    admin,
    readTicketBody({
      ticket: {
        subject: 'Monthly consumption report export fails',
        submitter_id: tom,
        requester_id: tom,
        comment: { body: 'Exporting the March consumption report to CSV ends with "Something went wrong".' },
        group_id: tier1,
        priority: 'normal',
        type: 'incident',
      },
    }),
  );
}
