import { JIRA_USERS, ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_REQUESTERS } from '../../seed-people';
import type { DemoWorld } from '../demo-world';
import { processed, state } from '../expect';
import { linkedBothWays, raisedOnce } from '../jira-checks';
import {
  issueEndsIn,
  issueReopened,
  jiraCommentMirrored,
  markMirror,
  noEcho,
  oneCommentPerTicketEntry,
  oneNotePerJiraChange,
  returnedToOwner,
  statusMirrored,
  ticketCommentMirrored,
} from '../mirror-checks';
import { ownerIs } from '../policy-checks';
import { expectEqual, num, str, type Scenario, type ScenarioVars } from '../scenario';

const { danaFox } = ZENDESK_AGENTS;
const maria = ZENDESK_REQUESTERS.maria;

/** What the people write, so the checks look for exactly these texts on the other side. */
const SAY = {
  assigned: 'Request has been assigned to a system engineer',
  solved: 'Problem is solved',
  resolved: 'Problem was solved. Now the system is ok',
  onIt: 'Hi Maria, engineering is looking into the outage now. We will update you as soon as the backend is back.',
  fixed: 'Hi Maria, engineering tells us the backend is reachable again. Marking this solved; just reply if anything is still wrong.',
  notFixed: 'Sorry, it is still not working: the backend is unreachable again since this morning.',
  rootCause: 'Root cause: expired TLS certificate on the backend load balancer. Renewed.',
  resolvedAgain: 'Solved: certificate renewed',
  confirmed: 'Confirmed, everything works now. Thank you!',
} as const;

/**
 * Maria's emails. The requester has no API credential: Zendesk's mail intake writes her
 * message as her, which the sandbox lets an admin do (Kim Dupont's token, the comment's
 * author_id Maria), so the ticket, its audit and its webhook show Maria as the author.
 */
const email = (w: DemoWorld, ticketId: number, body: string) =>
  w.zd.kimManager.update(ticketId, { comment: { body, public: true, author_id: maria.id } });

/** The Jira key as Dana sees it on the ticket: the jira:KEY tag helpdesk-sync put there (J4). */
function learnKey(w: DemoWorld, v: ScenarioVars): void {
  if (v.key !== undefined) return;
  const tag = w.sandboxes.zendesk.ticket(num(v, 'ticket'))?.tags.find((t) => t.startsWith('jira:'));
  if (!tag) throw new Error('the ticket carries no jira:KEY tag');
  v.key = tag.slice('jira:'.length).toUpperCase();
  v.issueId = w.sandboxes.jira.issue(str(v, 'key'))?.id ?? '';
}

const mark = (w: DemoWorld, v: ScenarioVars) => markMirror(w, v, 'zendesk', 'ticket', 'key');

const statusIs = (name: string) =>
  state(`the issue is ${name}`, ['intake'], (w, v) => expectEqual('status', w.sandboxes.jira.statusOf(str(v, 'key')), name));

const ticketIs = (status: string) =>
  state(`the ticket is ${status}`, ['intake'], (w, v) => expectEqual('ticket status', w.sandboxes.zendesk.ticket(num(v, 'ticket'))?.status, status));

/**
 * The SUP-20 "system is down" incident, Open to Closed with one reopen, with the
 * client's side on a Zendesk Tier 1 ticket (Maria Keller in customer1's place, Dana Fox as the
 * owner who keeps the contact) and Jira's side worked by agent1 (Priya) and tech1, everything
 * crossing between them through the mirror (M1-M5).
 */
export const sup20Lifecycle: Scenario<DemoWorld> = {
  id: 'a',
  title: 'The SUP-20 incident through the mirror: a Zendesk ticket and its Jira bug, Open to Completed, reopened, Closed',
  source: 'the SUP-20 incident (Jira side) on a Zendesk Tier 1 ticket; rules J1, J4, M1-M5, E1',
  steps: [
    {
      title: 'Maria Keller (in customer1\'s place) emails support: "system is down"',
      act: async (w, v) => {
        const t = await w.zd.kimManager.createTicket({
          subject: 'System is down',
          comment: { body: 'Cannot access the backend.\nSystem is unreachable.', public: true },
          submitter_id: maria.id,
          requester_id: maria.id,
          group_id: ZENDESK_GROUPS.aegentTier1.id,
          priority: 'high',
          type: 'incident',
        });
        v.ticket = t.id;
      },
      expect: [
        processed('zendesk', 'ticket'),
        state('a new ticket by Maria in the Tier 1 queue', ['intake'], (w, v) => {
          const t = w.sandboxes.zendesk.ticket(num(v, 'ticket'));
          return expectEqual('requester, group, status', [t?.requesterId, t?.groupId, t?.status], [maria.id, ZENDESK_GROUPS.aegentTier1.id, 'new']);
        }),
      ],
    },
    {
      title: 'Dana Fox (Tier 1) claims it and becomes its owner',
      act: async (w, v) => w.zd.danaFox.update(num(v, 'ticket'), { assignee_id: danaFox.id }),
      expect: [processed('zendesk', 'ticket'), ownerIs('zendesk', 'ticket', danaFox.id, 'Dana Fox')],
    },
    {
      title: 'Dana records steps, impact and environment privately and tags the ticket jira-bug',
      act: async (w, v) => {
        await w.zd.danaFox.comment(
          num(v, 'ticket'),
          'Steps to reproduce:\n1. Open the backend portal\n2. Sign in\n\nImpact:\nThe whole school board cannot reach the backend\n\nEnvironment:\nProduction backend, all browsers',
          false,
        );
        await w.zd.danaFox.addTags(num(v, 'ticket'), ['jira-bug']);
      },
      expect: [processed('zendesk', 'ticket'), raisedOnce('zendesk', 'ticket', 'Bug', ['helpdesk-sync', 'jira-bug']), linkedBothWays('zendesk', 'ticket')],
    },
    {
      title: 'Dana tells Maria engineering is on it and puts the ticket on hold',
      act: async (w, v) => {
        learnKey(w, v);
        await w.zd.danaFox.comment(num(v, 'ticket'), SAY.onIt, true, { status: 'hold' });
      },
      expect: [processed('zendesk', 'ticket'), ticketIs('hold'), ticketCommentMirrored('key', SAY.onIt, 'Dana Fox', true), statusIs('Open')],
    },
    {
      title: 'agent1 (Priya) confirms the incident: priority Highest and the Enterprise plan label',
      act: async (w, v) => {
        // The label field keeps what is there (helpdesk-sync's labels) and adds the plan.
        const labels = w.sandboxes.jira.issue(str(v, 'key'))?.labels ?? [];
        await w.jira.priya.edit(str(v, 'key'), { priority: { name: 'Highest' }, labels: [...labels, 'plan-enterprise'] });
      },
      expect: [
        processed('jira', 'issueId'),
        state('the issue is Highest and labelled plan-enterprise, helpdesk-sync\'s labels kept', ['intake'], (w, v) => {
          const issue = w.sandboxes.jira.issue(str(v, 'key'));
          const labels = issue?.labels ?? [];
          return expectEqual('priority id, labels', [issue?.priorityId, ['plan-enterprise', 'helpdesk-sync', `hs-zendesk-default-${num(v, 'ticket')}`].every((l) => labels.includes(l))], ['1', true]);
        }),
      ],
    },
    {
      title: 'Priya assigns tech1 and clicks Investigate: Work in progress',
      act: async (w, v) => {
        mark(w, v);
        await w.jira.priya.edit(str(v, 'key'), { assignee: { accountId: JIRA_USERS.tech1.accountId } });
        await w.jira.priya.transitionTo(str(v, 'key'), 'Work in progress', SAY.assigned);
      },
      expect: [
        processed('jira', 'issueId'),
        statusIs('Work in progress'),
        statusMirrored('zendesk', 'ticket', 'Work in progress', 'open'),
        jiraCommentMirrored('zendesk', 'ticket', SAY.assigned, JIRA_USERS.priya.displayName),
      ],
    },
    {
      title: 'tech1 leaves an internal comment: "Problem is solved"',
      act: async (w, v) => w.jira.tech1.comment(str(v, 'key'), SAY.solved),
      expect: [processed('jira', 'issueId'), jiraCommentMirrored('zendesk', 'ticket', SAY.solved, JIRA_USERS.tech1.displayName)],
    },
    {
      title: 'Priya resolves it: Completed, resolution Done',
      act: async (w, v) => {
        mark(w, v);
        await w.jira.priya.transitionTo(str(v, 'key'), 'Completed', SAY.resolved);
      },
      expect: [
        processed('jira', 'issueId'),
        statusIs('Completed'),
        statusMirrored('zendesk', 'ticket', 'Completed', 'open'),
        returnedToOwner('zendesk', 'ticket', danaFox.id, 'Dana Fox'),
        jiraCommentMirrored('zendesk', 'ticket', SAY.resolved, JIRA_USERS.priya.displayName),
      ],
    },
    {
      title: 'Dana confirms with Maria and solves the ticket',
      act: async (w, v) => w.zd.danaFox.comment(num(v, 'ticket'), SAY.fixed, true, { status: 'solved' }),
      expect: [processed('zendesk', 'ticket'), ticketIs('solved'), ticketCommentMirrored('key', SAY.fixed, 'Dana Fox', true), statusIs('Completed')],
    },
    {
      title: 'Maria replies it is not fixed: her reply reopens the solved ticket',
      act: async (w, v) => {
        mark(w, v);
        await email(w, num(v, 'ticket'), SAY.notFixed);
      },
      expect: [processed('zendesk', 'ticket'), ticketIs('open'), issueReopened('key'), ticketCommentMirrored('key', SAY.notFixed, maria.name, true)],
    },
    {
      title: 'tech1 records the root cause; Priya resolves again',
      act: async (w, v) => {
        mark(w, v);
        await w.jira.tech1.comment(str(v, 'key'), SAY.rootCause);
        await w.jira.priya.transitionTo(str(v, 'key'), 'Completed', SAY.resolvedAgain);
      },
      expect: [
        processed('jira', 'issueId'),
        statusIs('Completed'),
        jiraCommentMirrored('zendesk', 'ticket', SAY.rootCause, JIRA_USERS.tech1.displayName),
        statusMirrored('zendesk', 'ticket', 'Completed', 'open'),
        returnedToOwner('zendesk', 'ticket', danaFox.id, 'Dana Fox'),
        jiraCommentMirrored('zendesk', 'ticket', SAY.resolvedAgain, JIRA_USERS.priya.displayName),
      ],
    },
    {
      title: 'Maria confirms it works; Dana solves the ticket',
      act: async (w, v) => {
        await email(w, num(v, 'ticket'), SAY.confirmed);
        await w.zd.danaFox.update(num(v, 'ticket'), { status: 'solved' });
      },
      expect: [processed('zendesk', 'ticket'), ticketIs('solved'), ticketCommentMirrored('key', SAY.confirmed, maria.name, true), statusIs('Completed')],
    },
    {
      title: 'the client has confirmed: Priya closes the issue',
      act: async (w, v) => {
        mark(w, v);
        await w.jira.priya.transitionTo(str(v, 'key'), 'Closed');
      },
      expect: [
        processed('jira', 'issueId'),
        statusIs('Closed'),
        // Closed after the requester confirmed: noted, and the solved ticket stays solved.
        statusMirrored('zendesk', 'ticket', 'Closed', 'solved'),
      ],
    },
  ],
  end: [
    issueEndsIn('key', 'Closed', 'Done'),
    state('the ticket ends solved, with Dana', ['E1'], (w, v) => {
      const t = w.sandboxes.zendesk.ticket(num(v, 'ticket'));
      return expectEqual('status, assignee', [t?.status, t?.assigneeId], ['solved', danaFox.id]);
    }),
    oneNotePerJiraChange('zendesk', 'ticket', 'key', ['Work in progress', 'Completed', 'Completed', 'Closed']),
    oneCommentPerTicketEntry('zendesk', 'ticket', 'key'),
    noEcho('zendesk', 'ticket', 'key'),
  ],
};
