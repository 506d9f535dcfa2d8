import { FRESHDESK_AGENTS, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS } from '../../seed-people';
import type { DemoWorld } from '../demo-world';
import { processed, state } from '../expect';
import { expectEqual, num, type Scenario } from '../scenario';
import { correctedAtVendor, decided, ownerIs, policyNote } from '../policy-checks';

const { nadiaBrooks, zacWarren } = FRESHDESK_AGENTS;

/** Seed 000 section 3: a complaint may go from the CS agent straight to the CS Manager. */
export const complaintToManager: Scenario<DemoWorld> = {
  id: 'd',
  title: 'Freshdesk: a complaint escalated straight to the CS Manager',
  source: 'seed 000, section 3',
  steps: [
    {
      title: 'Raj Patel (Contoso Health) complains about a third outage this month',
      act: async (w, v) => {
        const t = await w.fd.nadiaBrooks.createTicket({
          email: FRESHDESK_REQUESTERS.raj.email,
          subject: 'Third outage this month - formal complaint',
          description: '<p>This is the third outage in four weeks. I want this escalated to management.</p>',
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
      title: 'Zac reviews the history, notes next steps privately and marks the review done',
      act: async (w, v) => {
        await w.fd.zacWarren.privateNote(num(v, 'ticket'), '<p>Offer a service credit; Nadia to call Raj today.</p>');
        await w.fd.zacWarren.addTags(num(v, 'ticket'), ['review-done']);
      },
      expect: [
        processed('freshdesk', 'ticket'),
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
  ],
};
