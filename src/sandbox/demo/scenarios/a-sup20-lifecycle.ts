import type { DemoWorld } from '../demo-world';
import { processed, state } from '../expect';
import { adfText } from '../actors';
import { expectEqual, str, type Scenario } from '../scenario';
import { pending, WAITS_FOR } from './pending';

const statusIs = (name: string) =>
  state(`SUP issue is ${name}`, ['intake'], (w, v) => expectEqual('status', w.sandboxes.jira.statusOf(str(v, 'key')), name));

/** Seed 002: the SUP-20 "system is down" incident, through Open, Work in progress, Completed and Closed, with the reopen path. */
export const sup20Lifecycle: Scenario<DemoWorld> = {
  id: 'a',
  title: 'The SUP-20 incident: Open, Work in progress, Completed, reopened, Closed',
  source: 'seed 002',
  steps: [
    {
      title: 'customer1@acme.com writes "system is down": agent1 logs the incident',
      act: async (w, v) => {
        const issue = await w.jira.priya.createIssue({
          project: { key: 'SUP' },
          issuetype: { name: 'Incident' },
          summary: 'System is Down',
          description: adfText('From: customer1@acme.com', 'Cannot access the backend. System is unreachable.'),
          labels: ['customer-reported'],
        });
        v.key = issue.key;
        v.issueId = issue.id;
      },
      expect: [processed('jira', 'issueId'), statusIs('Open')],
    },
    {
      title: 'agent1 confirms it is an incident, sets priority 1 and the Enterprise plan',
      act: async (w, v) => w.jira.priya.edit(str(v, 'key'), { priority: { name: 'Highest' }, labels: ['customer-reported', 'plan-enterprise'] }),
      expect: [processed('jira', 'issueId')],
    },
    {
      title: 'agent1 assigns tech1 and clicks Investigate: Work in progress',
      act: async (w, v) => {
        await w.jira.priya.edit(str(v, 'key'), { assignee: { accountId: '5b10ac8d82e05b22cc7d4ef5' } });
        await w.jira.priya.transitionTo(str(v, 'key'), 'Work in progress', 'Request has been assigned to a system engineer');
      },
      expect: [processed('jira', 'issueId'), statusIs('Work in progress')],
      pending: [pending('the linked ticket gets a private note and its mapped status', ['M2'], WAITS_FOR.mirroring)],
    },
    {
      title: 'tech1 leaves an internal comment: "Problem is solved"',
      act: async (w, v) => w.jira.tech1.comment(str(v, 'key'), 'Problem is solved'),
      expect: [processed('jira', 'issueId')],
      pending: [pending('the Jira comment reaches the ticket as a private note', ['M1'], WAITS_FOR.mirroring)],
    },
    {
      title: 'agent1 resolves it: Completed, resolution Done',
      act: async (w, v) => w.jira.priya.transitionTo(str(v, 'key'), 'Completed', 'Problem was solved. Now the system is ok'),
      expect: [processed('jira', 'issueId'), statusIs('Completed')],
      pending: [pending('the ticket returns to its owner as open, ready to confirm', ['M2'], WAITS_FOR.mirroring)],
    },
    {
      title: 'the client reports it is not fixed: Back to work in progress',
      act: async (w, v) => w.jira.priya.transitionTo(str(v, 'key'), 'Work in progress', 'Client reports the backend is still unreachable'),
      expect: [processed('jira', 'issueId'), statusIs('Work in progress')],
      pending: [pending('a reopened ticket moves its issue back to work in progress', ['M4'], WAITS_FOR.mirroring)],
    },
    {
      title: 'tech1 fixes it for good; agent1 resolves again',
      act: async (w, v) => {
        await w.jira.tech1.comment(str(v, 'key'), 'Root cause: expired TLS certificate on the backend load balancer. Renewed.');
        await w.jira.priya.transitionTo(str(v, 'key'), 'Completed', 'Solved: certificate renewed');
      },
      expect: [processed('jira', 'issueId'), statusIs('Completed')],
    },
    {
      title: 'the client confirms; agent1 closes it',
      act: async (w, v) => w.jira.priya.transitionTo(str(v, 'key'), 'Closed'),
      expect: [processed('jira', 'issueId'), statusIs('Closed')],
    },
  ],
  end: [
    state('the incident ends Closed with resolution Done', ['intake'], (w, v) => {
      const issue = w.sandboxes.jira.issue(str(v, 'key'));
      return expectEqual('status and resolution', [w.sandboxes.jira.statusOf(str(v, 'key')), issue?.resolutionId !== null], ['Closed', true]);
    }),
    state('both comments by tech1 are on the issue', ['intake'], (w, v) =>
      expectEqual('tech1 comments', w.sandboxes.jira.comments(str(v, 'key')).filter((c) => c.authorId === '5b10ac8d82e05b22cc7d4ef5').length, 2),
    ),
  ],
};
