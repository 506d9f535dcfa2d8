import { FRESHDESK_AGENTS, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS } from '../../seed-people';
import type { DemoWorld } from '../demo-world';
import { eventually, processed, state } from '../expect';
import { issuesForTicket, linkedBothWays, raisedOnce } from '../jira-checks';
import { ticketCommentMirrored } from '../mirror-checks';
import { expectEqual, fail, num, ok, str, type Scenario, type ScenarioVars } from '../scenario';
import { correctedAtVendor, decided, ownerIs, policyNote } from '../policy-checks';

const { nadiaBrooks, zacWarren } = FRESHDESK_AGENTS;

const ZAC_NOTE = 'Offer a service credit; Nadia to call Raj today.';

/** The Jira key as Zac sees it on the ticket: the jira:KEY tag helpdesk-sync put there (J4). */
function learnKey(w: DemoWorld, v: ScenarioVars): void {
  if (v.key !== undefined) return;
  const tag = w.sandboxes.freshdesk.ticket(num(v, 'ticket'))?.tags.find((t) => t.toLowerCase().startsWith('jira:'));
  if (!tag) throw new Error('the ticket carries no jira:KEY tag');
  v.key = tag.slice('jira:'.length).toUpperCase();
}

/**
 * The Freshdesk ladder: a complaint may go from the CS agent straight to the CS Manager. Zac,
 * reviewing it, sends Raj's ask (notice before planned maintenance) to the senior team as a
 * customer request in Jira (J1, J3), then hands the ticket back to its owner (E3).
 */
export const complaintToManager: Scenario<DemoWorld> = {
  id: 'd',
  title: 'Freshdesk: a complaint escalated straight to the CS Manager, who raises a customer request for the senior team',
  source: 'the Freshdesk ladder: a complaint to the CS Manager, a customer request for the senior team; rules E2, E3, J1, J3, J4',
  steps: [
    {
      title: 'Raj Patel (Contoso Health) complains about a third outage this month',
      act: async (w, v) => {
        const t = await w.fd.nadiaBrooks.createTicket({
          email: FRESHDESK_REQUESTERS.raj.email,
          subject: 'Third outage this month - formal complaint',
          description:
            '<p>This is the third outage in four weeks. I want this escalated to management.</p>' +
            '<p>At the very least we need to hear about planned maintenance before it happens, not from our nurses after.</p>',
          priority: 3,
          status: 2,
          source: 1,
          type: 'Problem',
          group_id: FRESHDESK_GROUPS.clientSuccess.id,
          tags: ['complaint'],
        });
        v.ticket = t.id;
      },
      expect: [processed('freshdesk', 'ticket')],
    },
    {
      title: 'Nadia Brooks (CS) takes it',
      act: async (w, v) => {
        await w.fd.nadiaBrooks.update(num(v, 'ticket'), { responder_id: nadiaBrooks.id });
      },
      expect: [processed('freshdesk', 'ticket'), ownerIs('freshdesk', 'ticket', nadiaBrooks.id, 'Nadia Brooks')],
    },
    {
      title: 'Nadia escalates straight to Zac Warren, the CS Manager',
      act: async (w, v) => {
        await w.fd.nadiaBrooks.update(num(v, 'ticket'), { group_id: FRESHDESK_GROUPS.csManagement.id, responder_id: zacWarren.id });
      },
      expect: [
        processed('freshdesk', 'ticket'),
        decided('freshdesk', 'ticket', 'E2', 'ok', 'allowed without App Support because the ticket is a complaint', 'complaint'),
        state('not corrected: still with Zac Warren', ['E2'], (w, v) =>
          expectEqual('responder', w.sandboxes.freshdesk.ticket(num(v, 'ticket'))?.responderId, zacWarren.id),
        ),
      ],
    },
    {
      title: 'Zac reviews the third outage this month: Raj\'s ask for notice before maintenance is for the senior team, so he tags the ticket jira-request',
      act: async (w, v) => {
        await w.fd.zacWarren.addTags(num(v, 'ticket'), ['jira-request']);
      },
      expect: [
        processed('freshdesk', 'ticket'),
        raisedOnce('freshdesk', 'ticket', 'Story', ['helpdesk-sync', 'customer-request', 'senior-team-review', 'jira-request', 'complaint']),
        state('a customer request carries no needs-info (J5 is for bugs)', ['J5'], (w, v) => {
          const issue = issuesForTicket(w, 'freshdesk', num(v, 'ticket'))[0];
          return expectEqual('needs-info', issue?.labels.includes('needs-info'), false);
        }),
        linkedBothWays('freshdesk', 'ticket'),
        eventually('the link note tells the owner the senior team will review it', ['J3', 'J4'], (w, v) => {
          const id = num(v, 'ticket');
          const issue = issuesForTicket(w, 'freshdesk', id)[0];
          if (!issue) return fail('no Jira issue for the ticket');
          const note = w.sandboxes.freshdesk.conversations(id).find((c) => c.userId === FRESHDESK_AGENTS.integration.id && c.private && c.bodyText.includes(issue.key));
          if (!note) return fail(`no private note from helpdesk-sync names ${issue.key}`);
          return /customer request/.test(note.bodyText) && /senior team/.test(note.bodyText) ? ok(issue.key) : fail(`the note says: ${note.bodyText}`);
        }),
        state('still with Zac Warren for his review', ['E3'], (w, v) =>
          expectEqual('responder', w.sandboxes.freshdesk.ticket(num(v, 'ticket'))?.responderId, zacWarren.id),
        ),
      ],
    },
    {
      title: 'Zac notes next steps privately and marks the review done',
      act: async (w, v) => {
        learnKey(w, v);
        await w.fd.zacWarren.privateNote(num(v, 'ticket'), `<p>${ZAC_NOTE}</p>`);
        await w.fd.zacWarren.addTags(num(v, 'ticket'), ['review-done']);
      },
      expect: [
        processed('freshdesk', 'ticket'),
        ticketCommentMirrored('key', ZAC_NOTE, 'Zac Warren', false),
        decided('freshdesk', 'ticket', 'E3', 'corrected', 'the review is done: returned to the owner'),
        correctedAtVendor('the ticket is back with Nadia in Client Success, review-done cleared', ['E3'], (w, v) => {
          const t = w.sandboxes.freshdesk.ticket(num(v, 'ticket'));
          return expectEqual('responder, group, review-done', [t?.responderId, t?.groupId, t?.tags.includes('review-done')], [nadiaBrooks.id, FRESHDESK_GROUPS.clientSuccess.id, false]);
        }),
        policyNote('freshdesk', 'ticket', 'E3', 'is back with Nadia Brooks'),
      ],
    },
  ],
  end: [
    state('the complaint carries the manager note and is back with its owner', ['E3'], (w, v) => {
      const id = num(v, 'ticket');
      const t = w.sandboxes.freshdesk.ticket(id);
      const zacNotes = w.sandboxes.freshdesk.conversations(id).filter((c) => c.userId === zacWarren.id && c.private).length;
      return expectEqual('complaint tag, manager note, responder', [t?.tags.includes('complaint'), zacNotes, t?.responderId], [true, 1, nadiaBrooks.id]);
    }),
    raisedOnce('freshdesk', 'ticket', 'Story', ['customer-request', 'senior-team-review']),
    state('the ticket still names its request: the jira:KEY tag survived E3 removing review-done', ['J4', 'E3'], (w, v) => {
      const tags = w.sandboxes.freshdesk.ticket(num(v, 'ticket'))?.tags ?? [];
      return expectEqual('key tag', tags.some((t) => t.toLowerCase() === `jira:${str(v, 'key')}`.toLowerCase()), true);
    }),
  ],
};
