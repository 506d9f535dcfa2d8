import { FRESHDESK_AGENTS, FRESHDESK_COMPANIES, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS } from '../seed-people';
import { addConversation, createTicket } from './operations';
import { FreshdeskState, isoSeconds } from './state';

/**
 * The seeded account: the groups, agents (each with their own API key), companies and
 * contacts of seed-people.ts, plus two existing tickets so a fresh sandbox is not empty:
 *
 * - 1001 "Invoice export to CSV fails with HTTP 500": Ana Lima (Northwind Traders), Open,
 *   High, Problem, Client Success / Sam Ortiz, tagged billing; Sam has replied once.
 * - 1002 "Password reset email never arrives": Jo Smith (free mail, no company), Pending, Low,
 *   Question, Client Success / Nadia Brooks; Nadia has replied once.
 *
 * New tickets are numbered from 1003. Seeded records are dated before the sandbox started, so
 * a poll from "now" sees only what happens afterwards.
 */
export const SEEDED_TICKET_IDS = [1001, 1002] as const;

const DAY = 86_400_000;
const ACCOUNT_CREATED = '2023-06-12T10:22:41Z';

export function seedState(now: () => Date): FreshdeskState {
  const state = new FreshdeskState(now);
  for (const g of Object.values(FRESHDESK_GROUPS)) {
    state.groups.set(g.id, { id: g.id, name: g.name, description: `${g.name} team`, createdAt: ACCOUNT_CREATED });
  }
  for (const a of Object.values(FRESHDESK_AGENTS)) {
    state.agents.set(a.id, { id: a.id, name: a.name, email: a.email, apiKey: a.apiKey, groupIds: [...a.groupIds], createdAt: ACCOUNT_CREATED });
  }
  for (const c of Object.values(FRESHDESK_COMPANIES)) {
    state.companies.set(c.id, { id: c.id, name: c.name, domains: [...c.domains], createdAt: ACCOUNT_CREATED, updatedAt: ACCOUNT_CREATED });
  }
  for (const r of Object.values(FRESHDESK_REQUESTERS)) {
    state.contacts.set(r.id, { id: r.id, name: r.name, email: r.email, companyId: r.organisationId, createdAt: ACCOUNT_CREATED, updatedAt: ACCOUNT_CREATED });
  }
  seedTickets(state, now().getTime());
  return state;
}

function seedTickets(state: FreshdeskState, nowMs: number): void {
  const at = (msAgo: number) => isoSeconds(new Date(nowMs - msAgo));
  const { ana, freeMail } = FRESHDESK_REQUESTERS;
  const { samOrtiz, nadiaBrooks } = FRESHDESK_AGENTS;
  state.nextTicketId = SEEDED_TICKET_IDS[0];

  const invoices = createTicket(
    state,
    {
      subject: 'Invoice export to CSV fails with HTTP 500',
      descriptionHtml: '<div>Since Friday the invoice export stops with <b>HTTP 500</b>.<br>Steps: Billing &gt; Invoices &gt; Export CSV.</div>',
      status: 2,
      priority: 3,
      source: 1,
      type: 'Problem',
      requesterId: ana.id,
      responderId: samOrtiz.id,
      groupId: FRESHDESK_GROUPS.clientSuccess.id,
      companyId: ana.organisationId,
      tags: ['billing'],
      customFields: {},
      ccEmails: [],
    },
    at(2 * DAY),
  );
  addConversation(
    state,
    invoices,
    { bodyHtml: '<div>Hi Ana,<br>thanks, we are looking into the export.<br>Sam</div>', userId: samOrtiz.id, kind: 'reply', private: false, incoming: false, toEmails: [ana.email], ccEmails: [] },
    at(2 * DAY - 3_600_000),
  );

  const password = createTicket(
    state,
    {
      subject: 'Password reset email never arrives',
      descriptionHtml: '<div>I asked for a password reset twice and got no email.</div>',
      status: 3,
      priority: 1,
      source: 2,
      type: 'Question',
      requesterId: freeMail.id,
      responderId: nadiaBrooks.id,
      groupId: FRESHDESK_GROUPS.clientSuccess.id,
      companyId: null,
      tags: [],
      customFields: {},
      ccEmails: [],
    },
    at(DAY),
  );
  addConversation(
    state,
    password,
    { bodyHtml: '<div>Hi Jo, could you check your spam folder?<br>Nadia</div>', userId: nadiaBrooks.id, kind: 'reply', private: false, incoming: false, toEmails: [freeMail.email], ccEmails: [] },
    at(DAY - 1_800_000),
  );
}
