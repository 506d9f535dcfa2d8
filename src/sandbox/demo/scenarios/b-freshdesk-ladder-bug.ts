import { FRESHDESK_AGENTS, FRESHDESK_COMPANIES, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS } from '../../seed-people';
import type { DemoWorld } from '../demo-world';
import { processed, state } from '../expect';
import { describedFully, linkedBothWays, raisedOnce } from '../jira-checks';
import { decided, noFault, ownerIs } from '../policy-checks';
import { expectEqual, num, type Scenario } from '../scenario';

const { samOrtiz, alexChen } = FRESHDESK_AGENTS;

/** The Freshdesk ladder: a CS agent escalates to App Support, who decides it is a bug for Jira. */
export const freshdeskLadderBug: Scenario<DemoWorld> = {
  id: 'b',
  title: 'Freshdesk: a CS agent escalates to App Support, who raises a Jira bug',
  source: 'the Freshdesk ladder: App Support as the first escalation, a Jira bug raised from the ticket',
  steps: [
    {
      title: 'Ana Lima (Northwind) emails: invoice export times out',
      act: async (w, v) => {
        const t = await w.fd.samOrtiz.createTicket({
          email: FRESHDESK_REQUESTERS.ana.email,
          subject: 'Invoice export fails with a timeout',
          description: '<div>Since this morning every invoice export stops after a minute with "Request timed out".</div>',
          priority: 3,
          status: 2,
          source: 1,
          type: 'Problem',
          group_id: FRESHDESK_GROUPS.clientSuccess.id,
        });
        v.ticket = t.id;
      },
      expect: [
        processed('freshdesk', 'ticket'),
        state('the requester belongs to Northwind by email domain', ['intake'], (w, v) =>
          expectEqual('company', w.sandboxes.freshdesk.ticket(num(v, 'ticket'))?.companyId, FRESHDESK_COMPANIES.northwind.id),
        ),
        decided('freshdesk', 'ticket', 'T1', 'ok', 'employer-domain requester accepted'),
        decided('freshdesk', 'ticket', 'T2', 'ok', 'requester matched to Northwind Traders', 'Northwind'),
      ],
    },
    {
      title: 'Sam Ortiz (CS) takes the ticket and becomes its owner',
      act: async (w, v) => {
        await w.fd.samOrtiz.update(num(v, 'ticket'), { responder_id: samOrtiz.id });
      },
      expect: [processed('freshdesk', 'ticket'), ownerIs('freshdesk', 'ticket', samOrtiz.id, 'Sam Ortiz')],
    },
    {
      title: 'Sam searches the Knowledge Base and Glean, finds nothing, notes it privately',
      act: async (w, v) => w.fd.samOrtiz.privateNote(num(v, 'ticket'), '<p>KB and Glean: no article on export timeouts. Escalating to App Support.</p>'),
      expect: [processed('freshdesk', 'ticket')],
    },
    {
      title: 'Sam escalates to the App Support group (first escalation)',
      act: async (w, v) => {
        await w.fd.samOrtiz.update(num(v, 'ticket'), { group_id: FRESHDESK_GROUPS.appSupport.id, responder_id: null });
      },
      expect: [processed('freshdesk', 'ticket'), decided('freshdesk', 'ticket', 'E2', 'ok', 'the ladder is respected: CS to App Support')],
    },
    {
      title: 'Alex Chen (App Support) reproduces it and records steps, impact and environment',
      act: async (w, v) => {
        await w.fd.alexChen.update(num(v, 'ticket'), { responder_id: alexChen.id });
        await w.fd.alexChen.privateNote(
          num(v, 'ticket'),
          '<p><b>Steps to reproduce:</b><br>1. Billing, Invoices<br>2. Select 2025-01<br>3. Export as PDF</p>' +
            '<p><b>Impact:</b> all 40 Northwind finance users cannot send invoices</p>' +
            '<p><b>Environment:</b> production EU, Chrome 131, account northwind</p>',
        );
      },
      expect: [processed('freshdesk', 'ticket')],
    },
    {
      title: 'Alex decides it is a bug: tag jira-bug',
      act: async (w, v) => w.fd.alexChen.addTags(num(v, 'ticket'), ['jira-bug']),
      expect: [
        processed('freshdesk', 'ticket'),
        raisedOnce('freshdesk', 'ticket', 'Bug', ['helpdesk-sync', 'jira-bug']),
        describedFully('freshdesk', 'ticket', ['Ana Lima', 'ana@northwind.example', 'Northwind Traders', 'Export as PDF', '40 Northwind finance users', 'production EU']),
        linkedBothWays('freshdesk', 'ticket'),
      ],
    },
    {
      title: 'Alex hands the ticket back to Sam, who keeps the contact with Ana',
      act: async (w, v) => {
        await w.fd.alexChen.update(num(v, 'ticket'), { group_id: FRESHDESK_GROUPS.clientSuccess.id, responder_id: samOrtiz.id });
      },
      expect: [
        processed('freshdesk', 'ticket'),
        noFault('freshdesk', 'ticket', 'E4', 'requester contact stayed with the owner'),
        ownerIs('freshdesk', 'ticket', samOrtiz.id, 'Sam Ortiz (still)'),
      ],
    },
  ],
  end: [
    raisedOnce('freshdesk', 'ticket', 'Bug', ['helpdesk-sync']),
    state('the ticket is back with Sam in Client Success, tagged jira-bug', ['intake'], (w, v) => {
      const t = w.sandboxes.freshdesk.ticket(num(v, 'ticket'));
      return expectEqual('group, responder, tag', [t?.groupId, t?.responderId, t?.tags.includes('jira-bug')], [FRESHDESK_GROUPS.clientSuccess.id, samOrtiz.id, true]);
    }),
  ],
  endPending: [],
};
