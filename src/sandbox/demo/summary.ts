import { adfToText } from '../../jira/adf';
import type { AdfDocument } from '../../jira/types';
import { FRESHDESK_AGENTS, JIRA_USERS, ZENDESK_AGENTS } from '../seed-people';
import { INTEGRATION_ACTORS, type Sandboxes } from '../world';
import type { ScenarioOutcome } from './runner';
import { pendingByFeature, type Write } from './report';

export interface Baseline {
  freshdeskTickets: number;
  zendeskTickets: number;
  jiraIssues: number;
}

export function baseline(s: Sandboxes): Baseline {
  return { freshdeskTickets: s.freshdesk.state.tickets.size, zendeskTickets: s.zendesk.state.tickets.size, jiraIssues: s.jira.state.issues.size };
}

/** What helpdesk-sync itself wrote: notes on tickets, comments on issues (read from the sandboxes). */
export function writesByHelpdeskSync(s: Sandboxes): { freshdeskNotes: number; zendeskNotes: number; jiraComments: number } {
  let freshdeskNotes = 0;
  for (const id of s.freshdesk.state.tickets.keys()) {
    freshdeskNotes += s.freshdesk.conversations(id).filter((c) => c.userId === FRESHDESK_AGENTS.integration.id).length;
  }
  let zendeskNotes = 0;
  for (const id of s.zendesk.state.tickets.keys()) {
    zendeskNotes += s.zendesk.comments(id).filter((c) => c.authorId === ZENDESK_AGENTS.integration.id).length;
  }
  let jiraComments = 0;
  for (const issue of s.jira.state.issues.values()) {
    jiraComments += issue.comments.filter((c) => c.authorId === JIRA_USERS.integration.accountId).length;
  }
  return { freshdeskNotes, zendeskNotes, jiraComments };
}

function callsLine(name: string, sandbox: Sandboxes['freshdesk' | 'zendesk' | 'jira'], actor: string): string {
  const all = sandbox.http.calls.all();
  const ours = all.filter((c) => c.actor === actor).length;
  return `    ${name.padEnd(10)} ${String(all.length).padStart(5)} calls: ${ours} by helpdesk-sync, ${all.length - ours} by the people in the scenarios`;
}

/** J2 made visible: the issues helpdesk-sync raised, the first one in full as Jira holds it. */
export function printRaisedIssues(write: Write, s: Sandboxes): void {
  const raised = [...s.jira.state.issues.values()].filter((i) => i.creatorId === JIRA_USERS.integration.accountId);
  if (!raised.length) return;
  write('');
  write('Jira issues raised by helpdesk-sync');
  for (const issue of raised) write(`  ${issue.key}  ${issue.summary}   [${issue.labels.join(', ')}]`);
  const first = raised[0];
  if (!first?.description) return;
  write('');
  write(`${first.key} as Jira shows it:`);
  for (const line of adfToText(first.description as unknown as AdfDocument).split('\n')) write(`  | ${line}`);
}

export function printSummary(write: Write, s: Sandboxes, before: Baseline, outcomes: ScenarioOutcome[], violations: number): void {
  const writes = writesByHelpdeskSync(s);
  write('');
  write('Summary');
  write(`  scenarios  ${outcomes.filter((o) => o.passed).length}/${outcomes.length} reached their expected end state`);
  for (const o of outcomes) write(`    (${o.id}) ${o.passed ? 'passed' : 'FAILED'}  ${o.title}`);
  write(`  tickets    ${s.freshdesk.state.tickets.size - before.freshdeskTickets} Freshdesk, ${s.zendesk.state.tickets.size - before.zendeskTickets} Zendesk created`);
  write(`  Jira       ${s.jira.state.issues.size - before.jiraIssues} issue(s) created`);
  write(`  notes      ${writes.freshdeskNotes + writes.zendeskNotes} private note(s) and ${writes.jiraComments} Jira comment(s) written by helpdesk-sync`);
  write(`  violations ${violations} caught`);
  write('  API calls per vendor');
  write(callsLine('Freshdesk', s.freshdesk, INTEGRATION_ACTORS.freshdesk));
  write(callsLine('Zendesk', s.zendesk, INTEGRATION_ACTORS.zendesk));
  write(callsLine('Jira', s.jira, INTEGRATION_ACTORS.jira));
  const pending = pendingByFeature(outcomes);
  if (pending.size) {
    write('  Pending: what the scenarios expect that is not built yet');
    for (const [feature, entry] of pending) {
      write(`    ${[...entry.rules].sort().join(' ')}  waits for ${feature} (${entry.items.length} expectation(s))`);
    }
  }
}
