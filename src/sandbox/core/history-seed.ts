import { createTicket as createFreshdeskTicket } from '../freshdesk/operations';
import type { FreshdeskSandbox } from '../freshdesk';
import { FRESHDESK_AGENTS, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS, ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../seed-people';
import { readTicketBody } from '../zendesk/requests';
import { createTicket as createZendeskTicket } from '../zendesk/tickets';
import type { ZendeskSandbox } from '../zendesk';

/**
 * History for backfill tests and benchmarks: `count` tickets whose last change is spread evenly
 * between `from` and `to`, written through each sandbox's own ticket operations (so they have
 * comments and audits like any other ticket) before any webhook target is set, so none fires.
 */

const SUBJECTS = [
  'Invoice export times out',
  'Dashboard shows yesterday twice',
  'Password reset mail never arrives',
  'Meter readings rounded wrongly',
  'CSV import rejects semicolons',
  'Tariff change not applied',
  'Report PDF missing logo',
  'Weekly summary arrives empty',
];

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function stamps(count: number, from: Date, to: Date): string[] {
  const span = Math.max(0, to.getTime() - from.getTime());
  return Array.from({ length: count }, (_, i) => isoSeconds(from.getTime() + (count > 1 ? Math.floor((span * i) / (count - 1)) : 0)));
}

/** Zendesk tickets created by Kim Dupont (an admin) for the seeded requesters. Returns their ids. */
export function seedZendeskHistory(sandbox: ZendeskSandbox, count: number, from: Date, to: Date): number[] {
  const requesters = Object.values(ZENDESK_REQUESTERS);
  const ids: number[] = [];
  stamps(count, from, to).forEach((at, i) => {
    const requester = requesters[i % requesters.length] as (typeof requesters)[number];
    const change = createZendeskTicket(
      sandbox.state,
      ZENDESK_AGENTS.kimManager.id,
      readTicketBody({
        ticket: {
          subject: `${SUBJECTS[i % SUBJECTS.length]} (#${i + 1})`,
          submitter_id: requester.id,
          requester_id: requester.id,
          comment: { body: `Reported by ${requester.name}: details in the attached log.` },
          group_id: ZENDESK_GROUPS.aegentTier1.id,
          priority: 'normal',
          type: 'question',
        },
      }),
    );
    // The operations stamp "now"; history happened earlier, in this order.
    const t = change.ticket;
    t.createdAt = at;
    t.updatedAt = at;
    for (const c of sandbox.state.commentsOf(t.id)) c.createdAt = at;
    const audits = sandbox.state.audits;
    // The new ticket's audits are the last ones written.
    for (let k = audits.length - 1; k >= 0 && audits[k]?.ticketId === t.id; k -= 1) (audits[k] as { createdAt: string }).createdAt = at;
    ids.push(t.id);
  });
  return ids;
}

/** Freshdesk tickets in Client Success, answered by Sam Ortiz. Returns their ids. */
export function seedFreshdeskHistory(sandbox: FreshdeskSandbox, count: number, from: Date, to: Date): number[] {
  const requesters = Object.values(FRESHDESK_REQUESTERS);
  return stamps(count, from, to).map((at, i) => {
    const requester = requesters[i % requesters.length] as (typeof requesters)[number];
    const ticket = createFreshdeskTicket(
      sandbox.state,
      {
        subject: `${SUBJECTS[i % SUBJECTS.length]} (#${i + 1})`,
        descriptionHtml: `<div>Reported by ${requester.name}: details in the attached log.</div>`,
        status: 2,
        priority: 1,
        source: 1,
        type: 'Question',
        requesterId: requester.id,
        responderId: FRESHDESK_AGENTS.samOrtiz.id,
        groupId: FRESHDESK_GROUPS.clientSuccess.id,
        companyId: requester.organisationId,
        tags: [],
        customFields: {},
        ccEmails: [],
      },
      at,
    );
    return ticket.id;
  });
}
