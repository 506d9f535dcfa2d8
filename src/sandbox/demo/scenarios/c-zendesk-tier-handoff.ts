import { ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_ORGANIZATIONS, ZENDESK_REQUESTERS } from '../../seed-people';
import type { DemoWorld } from '../demo-world';
import { adfToText } from '../../../jira/adf';
import type { AdfDocument } from '../../../jira/types';
import { eventually, processed, state } from '../expect';
import { completedLater, issuesForTicket, linkedBothWays, raisedIncomplete, raisedOnce } from '../jira-checks';
import { jiraComments, oneCommentPerTicketEntry } from '../mirror-checks';
import { expectEqual, fail, num, ok, type Scenario, type ScenarioVars } from '../scenario';
import { correctedAtVendor, decided, noFault, ownerIs, policyNote, roundTrips } from '../policy-checks';

const { danaFox, liWei } = ZENDESK_AGENTS;
const TIER2_AGENTS = new Set<number>([liWei.id, ZENDESK_AGENTS.mayaPatel.id]);

/** Li's one public reply to Maria (H3): Tier 2 should have asked Dana, who keeps the contact. */
const LI_PUBLIC = 'Hi Maria, Li from MEI here. We are looking at your dashboard. Were any meters replaced at the school on Monday?';

const publicByTier2 = (w: DemoWorld, v: ScenarioVars) => w.sandboxes.zendesk.comments(num(v, 'ticket')).filter((c) => TIER2_AGENTS.has(c.authorId) && c.public);
const h3Notes = (w: DemoWorld, v: ScenarioVars) =>
  w.sandboxes.zendesk.comments(num(v, 'ticket')).filter((c) => c.authorId === ZENDESK_AGENTS.integration.id && !c.public && c.plainBody.includes('rule H3'));

/** The Jira key as Dana sees it on the ticket: the jira:KEY tag helpdesk-sync put there (J4). */
function learnKey(w: DemoWorld, v: ScenarioVars): void {
  if (v.key !== undefined) return;
  const tag = w.sandboxes.zendesk.ticket(num(v, 'ticket'))?.tags.find((t) => t.startsWith('jira:'));
  if (!tag) throw new Error('the ticket carries no jira:KEY tag');
  v.key = tag.slice('jira:'.length).toUpperCase();
}

const handBack = (round: number) => ({
  title: `Li answers privately and hands the ticket back to Dana (round trip ${round})`,
  act: async (w: DemoWorld, v: Record<string, string | number>) =>
    w.zd.liWei.comment(num(v, 'ticket'), round === 1 ? 'Dashboard ingest job is stuck on a bad meter reading; please find out from the school which meters were replaced on Monday (sorry, I asked Maria myself).' : 'Cleared the reading and re-ran ingest for those meters; data is back from Monday 06:00.', false, {
      assignee_id: danaFox.id,
      group_id: ZENDESK_GROUPS.aegentTier1.id,
    }),
  expect: [
    processed('zendesk', 'ticket'),
    decided('zendesk', 'ticket', 'H4', 'ok', 'handed back to the owner, Dana Fox'),
    roundTrips('zendesk', 'ticket', round),
  ],
});

/**
 * The Zendesk handoff: Tier 1 (the channel partner) escalates to Tier 2 by group and keeps the end user.
 * Li, in Tier 2, once writes to Maria himself: H3 records it and tells Dana, the owner.
 */
export const zendeskTierHandoff: Scenario<DemoWorld> = {
  id: 'c',
  title: 'Zendesk: Tier 1 to Tier 2 group handoff with two round trips, and one public reply by Tier 2',
  source: 'the Zendesk Tier 1 / Tier 2 handoff, from the claim to the last handback',
  steps: [
    {
      title: 'Maria Keller (YCDSB) reports: energy dashboard empty since Monday',
      act: async (w, v) => {
        const t = await w.zd.danaFox.createTicket({
          subject: 'Energy dashboard shows no data since Monday',
          comment: { body: 'Our school energy dashboard has shown no readings since Monday morning.', public: true },
          requester: { name: ZENDESK_REQUESTERS.maria.name, email: ZENDESK_REQUESTERS.maria.email },
          group_id: ZENDESK_GROUPS.aegentTier1.id,
          priority: 'normal',
          type: 'problem',
        });
        v.ticket = t.id;
      },
      expect: [
        processed('zendesk', 'ticket'),
        state('Zendesk placed Maria in YCDSB by her email domain', ['intake'], (w, v) =>
          expectEqual('organisation', w.sandboxes.zendesk.ticket(num(v, 'ticket'))?.organizationId, ZENDESK_ORGANIZATIONS.ycdsb.id),
        ),
        decided('zendesk', 'ticket', 'T1', 'ok', 'employer-domain requester accepted'),
        decided('zendesk', 'ticket', 'T2', 'ok', 'requester in a supported organisation', 'York Catholic'),
      ],
    },
    {
      title: 'Dana Fox is first to claim it (Tier 1 owner)',
      act: async (w, v) => w.zd.danaFox.update(num(v, 'ticket'), { assignee_id: danaFox.id }),
      expect: [processed('zendesk', 'ticket'), ownerIs('zendesk', 'ticket', danaFox.id, 'Dana Fox'), decided('zendesk', 'ticket', 'H6', 'info', 'the claim and its time kept for the SLA', 'claimed')],
    },
    {
      title: 'Dana is stuck: private comment, then the Tier 2 group with no assignee',
      act: async (w, v) =>
        w.zd.danaFox.comment(num(v, 'ticket'), 'Checked meter status page and gateway: all online. Need MEI to look at ingest.', false, {
          group_id: ZENDESK_GROUPS.tier2.id,
          assignee_id: null,
        }),
      expect: [
        processed('zendesk', 'ticket'),
        decided('zendesk', 'ticket', 'H1', 'ok', 'context first: a private comment went with the escalation'),
        noFault('zendesk', 'ticket', 'H2', 'group only: nothing to correct'),
      ],
    },
    {
      title: 'Li Wei (MEI Tier 2) pulls the ticket',
      act: async (w, v) => w.zd.liWei.update(num(v, 'ticket'), { assignee_id: liWei.id }),
      expect: [processed('zendesk', 'ticket')],
    },
    {
      title: 'Li forgets Tier 2 speaks privately and asks Maria himself, in a public reply',
      act: async (w, v) => w.zd.liWei.comment(num(v, 'ticket'), LI_PUBLIC, true),
      expect: [
        processed('zendesk', 'ticket'),
        decided('zendesk', 'ticket', 'H3', 'violation', 'a Tier 2 agent commented publicly: recorded as a violation', 'Li Wei'),
        policyNote('zendesk', 'ticket', 'H3', 'Dana Fox, please read the reply and follow up with the requester'),
        state('the reply stands (it cannot be unsent) and is reported in exactly one private note', ['H3'], (w, v) =>
          expectEqual('public Tier 2 replies, H3 notes', [publicByTier2(w, v).length, h3Notes(w, v).length], [1, 1]),
        ),
        noFault('zendesk', 'ticket', 'E4', 'judged by H3, the Tier 2 rule, not a second time as E4'),
      ],
    },
    handBack(1),
    {
      title: 'Dana adds what the school told her privately and assigns it straight back to Li (a person, not the group)',
      act: async (w, v) =>
        w.zd.danaFox.comment(num(v, 'ticket'), 'School replaced meters 12 and 14 on Monday morning.', false, {
          group_id: ZENDESK_GROUPS.tier2.id,
          assignee_id: liWei.id,
        }),
      expect: [
        processed('zendesk', 'ticket'),
        decided('zendesk', 'ticket', 'H2', 'corrected', 'escalated to a person: corrected to the group alone'),
        correctedAtVendor('the assignee is cleared so any Tier 2 agent can pick it up', ['H2'], (w, v) => {
          const t = w.sandboxes.zendesk.ticket(num(v, 'ticket'));
          return expectEqual('group and assignee', [t?.groupId, t?.assigneeId], [ZENDESK_GROUPS.tier2.id, null]);
        }),
        policyNote('zendesk', 'ticket', 'H2', 'Assignee cleared'),
      ],
    },
    handBack(2),
    {
      title: 'Li suspects the ingest job mishandles replaced meters: Dana tags the ticket jira-bug',
      act: async (w, v) => w.zd.danaFox.addTags(num(v, 'ticket'), ['jira-bug']),
      expect: [
        processed('zendesk', 'ticket'),
        raisedOnce('zendesk', 'ticket', 'Bug', ['helpdesk-sync', 'needs-info']),
        raisedIncomplete('zendesk', 'ticket', ['Steps to reproduce', 'Impact', 'Environment']),
        linkedBothWays('zendesk', 'ticket'),
        eventually('Li\'s public reply, written before the link, is in the issue\'s communication summary (J2)', ['J2', 'H3'], (w, v) => {
          const issue = issuesForTicket(w, 'zendesk', num(v, 'ticket'))[0];
          if (!issue) return fail('no Jira issue for the ticket');
          const text = issue.description ? adfToText(issue.description as unknown as AdfDocument) : '';
          return /Li Wei \(agent\) · public reply/.test(text) && text.includes('Were any meters replaced') ? ok() : fail(`${issue.key}'s communication summary lacks Li Wei's public reply`);
        }),
      ],
    },
    {
      title: 'Dana adds steps, impact and environment in a private note',
      act: async (w, v) => {
        learnKey(w, v);
        await w.zd.danaFox.comment(
          num(v, 'ticket'),
          'Steps to reproduce:\n1. Replace a meter at a school site\n2. Wait for the next ingest run\n\nImpact:\nDashboards of every school with a replaced meter stay empty\n\nEnvironment:\nProduction ingest, Aegent tenant, meters 12 and 14',
          false,
        );
      },
      expect: [processed('zendesk', 'ticket'), completedLater('zendesk', 'ticket', ['Replace a meter at a school site', 'Dashboards of every school', 'Production ingest'])],
    },
    {
      title: 'Dana tells Maria it is fixed and solves the ticket',
      act: async (w, v) =>
        w.zd.danaFox.comment(num(v, 'ticket'), 'Hi Maria, readings are back from Monday 06:00. Sorry for the gap!', true, { status: 'solved' }),
      expect: [
        processed('zendesk', 'ticket'),
        noFault('zendesk', 'ticket', 'E4', 'the owner spoke to the requester: no contact violation'),
        decided('zendesk', 'ticket', 'E5', 'violation', 'solved after escalation without outcome or root cause: a knowledge gap'),
        policyNote('zendesk', 'ticket', 'E5', 'Root cause'),
      ],
    },
  ],
  end: [
    state('solved, with Dana (Tier 1) as assignee', ['intake'], (w, v) => {
      const t = w.sandboxes.zendesk.ticket(num(v, 'ticket'));
      return expectEqual('status, group, assignee', [t?.status, t?.groupId, t?.assigneeId], ['solved', ZENDESK_GROUPS.aegentTier1.id, danaFox.id]);
    }),
    roundTrips('zendesk', 'ticket', 2),
    state('one public Tier 2 comment, Li\'s, reported to Dana once; every other Tier 2 comment stayed private', ['H3'], (w, v) =>
      expectEqual('public Tier 2 comments, H3 notes', [publicByTier2(w, v).map((c) => c.authorId), h3Notes(w, v).length], [[liWei.id], 1]),
    ),
    decided('zendesk', 'ticket', 'H3', 'violation', 'the H3 violation stays on the audit trail', 'Li Wei'),
    oneCommentPerTicketEntry('zendesk', 'ticket', 'key'),
    state('nothing of the Tier 2 reply reached Jira as a comment: it is in the description only', ['M3', 'J2'], (w, v) => {
      const copies = jiraComments(w, String(v.key)).filter((c) => c.text.includes('Were any meters replaced')).length;
      return expectEqual('Jira comments carrying it', copies, 0);
    }),
  ],
  endPending: [],
};
