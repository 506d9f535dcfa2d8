import { adfToText } from '../../jira/adf';
import type { AdfDocument } from '../../jira/types';
import { FRESHDESK_AGENTS, ZENDESK_AGENTS } from '../seed-people';
import type { IssueRecord } from '../jira/state';
import { ISSUE_TYPES } from '../jira/world';
import type { DemoWorld } from './demo-world';
import { eventually } from './expect';
import { expectEqual, fail, num, ok, type CheckResult, type Expectation } from './scenario';

type Helpdesk = 'freshdesk' | 'zendesk';

/** The issues the Jira sandbox holds for a ticket, found by the identity label helpdesk-sync puts on them. */
export function issuesForTicket(world: DemoWorld, vendor: Helpdesk, ticketId: number): IssueRecord[] {
  const label = `hs-${vendor}-default-${ticketId}`;
  return [...world.sandboxes.jira.state.issues.values()].filter((i) => i.labels.includes(label));
}

function onlyIssue(world: DemoWorld, vendor: Helpdesk, ticketId: number): IssueRecord | CheckResult {
  const issues = issuesForTicket(world, vendor, ticketId);
  if (issues.length !== 1) return fail(`expected exactly one Jira issue for ${vendor} ticket ${ticketId}, found ${issues.length}`);
  return issues[0] as IssueRecord;
}

const isResult = (v: IssueRecord | CheckResult): v is CheckResult => 'ok' in v;

/** J1/J3: exactly one issue of the expected type, with the expected labels. */
export function raisedOnce(vendor: Helpdesk, idVar: string, typeName: string, labels: string[]): Expectation<DemoWorld> {
  return eventually(`exactly one Jira ${typeName} raised for the ticket`, ['J1', 'J3'], (w, v) => {
    const issue = onlyIssue(w, vendor, num(v, idVar));
    if (isResult(issue)) return issue;
    const type = ISSUE_TYPES.find((t) => t.id === issue.issueTypeId)?.name;
    const lacking = labels.filter((l) => !issue.labels.includes(l));
    if (type !== typeName) return fail(`issue ${issue.key} is a ${type}, expected ${typeName}`);
    return lacking.length ? fail(`issue ${issue.key} lacks labels ${lacking.join(', ')}`) : ok(issue.key);
  });
}

/** J2: every section of the description is there, and the given texts made it in. */
export function describedFully(vendor: Helpdesk, idVar: string, mustContain: string[]): Expectation<DemoWorld> {
  const headings = ['Requester', 'Internal contact', 'Ticket', 'Communication summary', 'Steps to reproduce', 'Impact', 'Environment', 'Escalation trail'];
  return eventually('the issue carries requester, contact, ticket, communication, steps, impact, environment, trail', ['J2'], (w, v) => {
    const issue = onlyIssue(w, vendor, num(v, idVar));
    if (isResult(issue)) return issue;
    const text = issue.description ? adfToText(issue.description as unknown as AdfDocument) : '';
    const absent = [...headings, ...mustContain].filter((h) => !text.includes(h));
    if (absent.length) return fail(`${issue.key} description lacks: ${absent.join(' | ')}`);
    return text.includes('Not provided') ? fail(`${issue.key} has a section marked "Not provided"`) : ok();
  });
}

/** J4: a remote link back to the ticket; on the ticket a private note naming the key, and the key tag. */
export function linkedBothWays(vendor: Helpdesk, idVar: string): Expectation<DemoWorld> {
  return eventually('linked both ways: remote link on the issue; private note and jira:KEY tag on the ticket', ['J4'], (w, v) => {
    const id = num(v, idVar);
    const issue = onlyIssue(w, vendor, id);
    if (isResult(issue)) return issue;
    const links = issue.remoteLinks.filter((l) => l.globalId === `helpdesk-sync:${vendor}:default:ticket:${id}`);
    if (links.length !== 1) return fail(`${issue.key} has ${links.length} remote links to the ticket`);
    const notes =
      vendor === 'freshdesk'
        ? w.sandboxes.freshdesk.conversations(id).filter((c) => c.userId === FRESHDESK_AGENTS.integration.id && c.private && c.bodyText.includes(issue.key)).length
        : w.sandboxes.zendesk.comments(id).filter((c) => c.authorId === ZENDESK_AGENTS.integration.id && !c.public && c.plainBody.includes(issue.key)).length;
    const tags = vendor === 'freshdesk' ? w.sandboxes.freshdesk.ticket(id)?.tags : w.sandboxes.zendesk.ticket(id)?.tags;
    const tagged = (tags ?? []).some((t) => t.toLowerCase() === `jira:${issue.key}`.toLowerCase());
    return expectEqual(`${issue.key}: notes naming it, key tag`, [notes, tagged], [1, true]);
  });
}

/** J5: the bug is raised anyway, labelled needs-info, and the owner is told exactly what is missing. */
export function raisedIncomplete(vendor: Helpdesk, idVar: string, missing: string[]): Expectation<DemoWorld> {
  return eventually(`raised with needs-info; the owner's note lists ${missing.join(', ')}`, ['J5'], (w, v) => {
    const id = num(v, idVar);
    const issue = onlyIssue(w, vendor, id);
    if (isResult(issue)) return issue;
    if (!issue.labels.includes('needs-info')) return fail(`${issue.key} is not labelled needs-info`);
    const notes =
      vendor === 'zendesk'
        ? w.sandboxes.zendesk.comments(id).filter((c) => c.authorId === ZENDESK_AGENTS.integration.id && !c.public).map((c) => c.plainBody)
        : w.sandboxes.freshdesk.conversations(id).filter((c) => c.userId === FRESHDESK_AGENTS.integration.id && c.private).map((c) => c.bodyText);
    const note = notes.find((n) => n.includes(issue.key));
    if (!note) return fail(`no private note from helpdesk-sync names ${issue.key}`);
    const unlisted = missing.filter((m) => !note.includes(m));
    return unlisted.length ? fail(`the note does not list ${unlisted.join(', ')}`) : ok(issue.key);
  });
}

/** J5: once the missing parts arrive on the ticket, Jira gets them as a comment and needs-info goes. */
export function completedLater(vendor: Helpdesk, idVar: string, mustContain: string[]): Expectation<DemoWorld> {
  return eventually('the missing parts reach Jira as a comment and needs-info is removed', ['J5'], (w, v) => {
    const issue = onlyIssue(w, vendor, num(v, idVar));
    if (isResult(issue)) return issue;
    if (issue.labels.includes('needs-info')) return fail(`${issue.key} still carries needs-info`);
    const comments = issue.comments.map((c) => adfToText(c.body as unknown as AdfDocument));
    const text = comments.join('\n');
    const absent = mustContain.filter((m) => !text.includes(m));
    return absent.length ? fail(`${issue.key} comments lack: ${absent.join(' | ')}`) : ok(`${comments.length} comment(s)`);
  });
}
