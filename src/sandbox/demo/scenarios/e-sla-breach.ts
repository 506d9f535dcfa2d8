import { ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../../seed-people';
import type { DemoWorld } from '../demo-world';
import { processed, state } from '../expect';
import { expectEqual, num, type Scenario } from '../scenario';
import { pending, WAITS_FOR } from './pending';

/** Seeds 001 and 004: an urgent ticket nobody answers breaches its first-response target. */
export const slaBreach: Scenario<DemoWorld> = {
  id: 'e',
  title: 'An urgent ticket breaches its first-response target',
  source: 'seeds 001 and 004',
  steps: [
    {
      title: 'Tom Becker (Managing Energy) reports every meter offline (urgent)',
      act: async (w, v) => {
        const t = await w.zd.omarHaddad.createTicket({
          subject: 'All meters offline at head office',
          comment: { body: 'Every meter at head office shows offline since 07:10.', public: true },
          requester: { name: ZENDESK_REQUESTERS.tom.name, email: ZENDESK_REQUESTERS.tom.email },
          group_id: ZENDESK_GROUPS.aegentTier1.id,
          priority: 'urgent',
          type: 'incident',
        });
        v.ticket = t.id;
      },
      expect: [processed('zendesk', 'ticket')],
    },
    {
      title: 'nobody answers within the P1 first-response target',
      act: async () => undefined,
      expect: [
        state('the ticket is still unanswered and unassigned', ['intake'], (w, v) => {
          const t = w.sandboxes.zendesk.ticket(num(v, 'ticket'));
          const agentReplies = w.sandboxes.zendesk
            .comments(num(v, 'ticket'))
            .filter((c) => c.public && c.authorId !== t?.requesterId && c.authorId !== ZENDESK_AGENTS.omarHaddad.id).length;
          return expectEqual('assignee and agent replies', [t?.assigneeId, agentReplies], [null, 0]);
        }),
      ],
      pending: [
        pending('first-response target for urgent tickets measured', ['S1'], WAITS_FOR.sla),
        pending('breach escalated once: private note, tag sla-breached, reassigned to the manager', ['S2'], WAITS_FOR.sla),
      ],
    },
  ],
  end: [],
  endPending: [pending('ticket tagged sla-breached and with the manager', ['S2'], WAITS_FOR.sla)],
};
