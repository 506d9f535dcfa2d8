import { SIGNATURE } from '../../domain/rules';
import { adfToText } from '../../jira/adf';
import type { AdfDocument } from '../../jira/types';
import { RESOLUTIONS } from '../jira/world';
import { FRESHDESK_AGENTS, JIRA_USERS, ZENDESK_AGENTS } from '../seed-people';
import type { DemoWorld } from './demo-world';
import { eventually } from './expect';
import { expectEqual, fail, num, ok, str, type CheckResult, type Expectation, type ScenarioVars } from './scenario';

/**
 * Two-way mirroring (M1-M5) seen from the vendors' side: what helpdesk-sync wrote on the ticket
 * and on its Jira issue, read from the sandboxes. Step checks look only at what came after the
 * step's mark (markMirror, called in the step's act before the change), so "exactly one" means
 * one per change, not one per scenario.
 */

type Helpdesk = 'freshdesk' | 'zendesk';

/** One entry of a ticket's conversation, the same shape for both helpdesks. */
export interface Entry {
  authorId: number;
  isPublic: boolean;
  text: string;
}

export function conversation(w: DemoWorld, vendor: Helpdesk, ticketId: number): Entry[] {
  return vendor === 'zendesk'
    ? w.sandboxes.zendesk.comments(ticketId).map((c) => ({ authorId: c.authorId, isPublic: c.public, text: c.plainBody }))
    : w.sandboxes.freshdesk.conversations(ticketId).map((c) => ({ authorId: c.userId, isPublic: !c.private, text: c.bodyText }));
}

const helpdeskUs = (vendor: Helpdesk): number => (vendor === 'zendesk' ? ZENDESK_AGENTS.integration.id : FRESHDESK_AGENTS.integration.id);
const jiraUs = JIRA_USERS.integration.accountId;

/** Notes and replies helpdesk-sync wrote on the ticket. */
export const ourEntries = (w: DemoWorld, vendor: Helpdesk, ticketId: number): Entry[] =>
  conversation(w, vendor, ticketId).filter((e) => e.authorId === helpdeskUs(vendor));

export interface JiraEntry {
  authorId: string;
  text: string;
}

export function jiraComments(w: DemoWorld, key: string): JiraEntry[] {
  return w.sandboxes.jira.comments(key).map((c) => ({ authorId: c.authorId, text: adfToText(c.body as unknown as AdfDocument) }));
}

const ourJiraComments = (w: DemoWorld, key: string): JiraEntry[] => jiraComments(w, key).filter((c) => c.authorId === jiraUs);

/** The rule ids a text's signature line cites: "helpdesk-sync · rule M2 · ref x" gives ["M2"]. */
export function citedRules(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(new RegExp(`${SIGNATURE} ([^·\\n]+)`, 'g'))) out.push(...(m[1] ?? '').split(/[\s,+&]+/).filter(Boolean));
  return out;
}

/** A written text's first line, what its copy on the other side must carry. */
const gist = (text: string): string => text.trim().split('\n')[0]?.trim() ?? '';

const markKey = (name: string) => `mark:${name}`;
const since = <T>(all: T[], vars: ScenarioVars, name: string): T[] => all.slice(Number(vars[markKey(name)] ?? 0));
/** Our notes on the ticket, and our comments on the issue, written after the step's mark. */
const ourEntriesSince = (w: DemoWorld, vendor: Helpdesk, v: ScenarioVars, idVar: string): Entry[] =>
  since(conversation(w, vendor, num(v, idVar)), v, idVar).filter((e) => e.authorId === helpdeskUs(vendor));
const ourJiraCommentsSince = (w: DemoWorld, v: ScenarioVars, keyVar: string): JiraEntry[] =>
  since(jiraComments(w, str(v, keyVar)), v, keyVar).filter((c) => c.authorId === jiraUs);
const show = (texts: string[]) => (texts.length ? texts.map((t) => JSON.stringify(t.replace(/\s+/g, ' ').slice(0, 240))).join(' | ') : 'none');

/** In a step's act, before the change: what the ticket and the issue hold so far. */
export function markMirror(w: DemoWorld, v: ScenarioVars, vendor: Helpdesk, idVar: string, keyVar: string): void {
  v[markKey(idVar)] = conversation(w, vendor, num(v, idVar)).length;
  v[markKey(keyVar)] = jiraComments(w, str(v, keyVar)).length;
}

function ticketState(w: DemoWorld, vendor: Helpdesk, id: number): { status: string | number | undefined; assigneeId: number | null | undefined } {
  if (vendor === 'zendesk') {
    const t = w.sandboxes.zendesk.ticket(id);
    return { status: t?.status, assigneeId: t?.assigneeId };
  }
  const t = w.sandboxes.freshdesk.ticket(id);
  return { status: t?.status, assigneeId: t?.responderId };
}

const OPEN: Record<Helpdesk, string | number> = { zendesk: 'open', freshdesk: 2 };

/** M1: the Jira comment is on the ticket exactly once, as a private note by helpdesk-sync naming its author; never public. */
export function jiraCommentMirrored(vendor: Helpdesk, idVar: string, text: string, authorName: string): Expectation<DemoWorld> {
  return eventually(`M1: "${text}" is one private note on the ticket, naming ${authorName}`, ['M1'], (w, v) => {
    const copies = ourEntries(w, vendor, num(v, idVar)).filter((e) => e.text.includes(text));
    const published = copies.filter((e) => e.isPublic);
    if (published.length) return fail(`helpdesk-sync published it to the requester: ${show(published.map((e) => e.text))}`);
    if (copies.length !== 1) return fail(`${copies.length} notes by helpdesk-sync carry it`);
    const note = (copies[0] as Entry).text;
    if (!note.includes('rule M1')) return fail(`the note does not cite rule M1: ${show([note])}`);
    return note.includes(authorName) ? ok() : fail(`the note does not name ${authorName}: ${show([note])}`);
  });
}

/** M2: since the mark, one private note by helpdesk-sync citing M2 names the new Jira status; the ticket shows the mapped status. */
export function statusMirrored(vendor: Helpdesk, idVar: string, statusName: string, ticketStatus: string | number): Expectation<DemoWorld> {
  return eventually(`M2: one note names "${statusName}"; the ticket is ${ticketStatus}`, ['M2'], (w, v) => {
    const id = num(v, idVar);
    const notes = ourEntriesSince(w, vendor, v, idVar).filter((e) => e.text.includes('rule M2'));
    if (notes.length !== 1) return fail(`${notes.length} M2 notes since the change: ${show(notes.map((e) => e.text))}`);
    const note = notes[0] as Entry;
    if (note.isPublic) return fail(`the M2 note is public: ${show([note.text])}`);
    if (!note.text.includes(statusName)) return fail(`the M2 note does not name ${statusName}: ${show([note.text])}`);
    return expectEqual('ticket status', ticketState(w, vendor, id).status, ticketStatus);
  });
}

/** M2 and E1: Jira done hands the ticket back to its owner, open, with a note that it is ready to confirm with the requester. */
export function returnedToOwner(vendor: Helpdesk, idVar: string, ownerId: number, ownerName: string): Expectation<DemoWorld> {
  return eventually(`back with ${ownerName}, open, "ready to confirm" with the requester`, ['M2', 'E1'], (w, v) => {
    const id = num(v, idVar);
    const t = ticketState(w, vendor, id);
    if (t.assigneeId !== ownerId || t.status !== OPEN[vendor]) {
      return fail(`ticket is ${String(t.status)} with ${String(t.assigneeId)}, expected ${String(OPEN[vendor])} with ${ownerName} (${ownerId})`);
    }
    const notes = ourEntriesSince(w, vendor, v, idVar);
    const ready = notes.filter((e) => !e.isPublic && /ready to confirm/i.test(e.text));
    return ready.length === 1 ? ok() : fail(`${ready.length} "ready to confirm" notes since the change (notes: ${show(notes.map((e) => e.text))})`);
  });
}

/** M3: the ticket's comment is on the issue exactly once, by helpdesk-sync, naming its author and whether the requester saw it. */
export function ticketCommentMirrored(keyVar: string, text: string, authorName: string, requesterSaw: boolean): Expectation<DemoWorld> {
  const visibility = requesterSaw ? /requester saw/i : /not visible to the requester/i;
  return eventually(`M3: "${text}" is one Jira comment naming ${authorName}, ${requesterSaw ? 'seen by' : 'not visible to'} the requester`, ['M3'], (w, v) => {
    const copies = ourJiraComments(w, str(v, keyVar)).filter((c) => c.text.includes(text));
    if (copies.length !== 1) return fail(`${copies.length} Jira comments by helpdesk-sync carry it`);
    const c = (copies[0] as JiraEntry).text;
    if (!c.includes('rule M3')) return fail(`the comment does not cite rule M3: ${show([c])}`);
    if (!c.includes(authorName)) return fail(`the comment does not name ${authorName}: ${show([c])}`);
    return visibility.test(c) ? ok() : fail(`the comment does not say ${visibility.source}: ${show([c])}`);
  });
}

/** M4: a reopened ticket moved its issue back to the given status, with one "reopened" comment by helpdesk-sync since the mark. */
export function issueReopened(keyVar: string, statusName = 'Work in progress'): Expectation<DemoWorld> {
  return eventually(`M4: the issue is back in ${statusName}, with one "reopened" comment by helpdesk-sync`, ['M4'], (w, v) => {
    const key = str(v, keyVar);
    const status = w.sandboxes.jira.statusOf(key);
    if (status !== statusName) return fail(`${key} is ${status ?? 'missing'}`);
    const m4 = ourJiraCommentsSince(w, v, keyVar).filter((c) => c.text.includes('rule M4'));
    if (m4.length !== 1) return fail(`${m4.length} M4 comments since the reopen: ${show(m4.map((c) => c.text))}`);
    return /reopened/i.test((m4[0] as JiraEntry).text) ? ok() : fail(`the M4 comment does not say "reopened": ${show(m4.map((c) => c.text))}`);
  });
}

/** The issue's status and resolution name. */
export function issueEndsIn(keyVar: string, statusName: string, resolution: string | null): Expectation<DemoWorld> {
  return eventually(`the issue ends ${statusName}${resolution ? ` with resolution ${resolution}` : ''}`, ['M2'], (w, v) => {
    const key = str(v, keyVar);
    const issue = w.sandboxes.jira.issue(key);
    const found = issue?.resolutionId ? (RESOLUTIONS.find((r) => r.id === issue.resolutionId)?.name ?? issue.resolutionId) : null;
    return expectEqual('status and resolution', [w.sandboxes.jira.statusOf(key), found], [statusName, resolution]);
  });
}

/**
 * M1, M2 over the whole story: every Jira comment by a person is on the ticket exactly once,
 * and the M2 notes are exactly one per status change people made, in order (none for the
 * transitions helpdesk-sync made itself, M5).
 */
export function oneNotePerJiraChange(vendor: Helpdesk, idVar: string, keyVar: string, statusChanges: string[]): Expectation<DemoWorld> {
  return eventually(`one note per Jira comment and per status change (${statusChanges.join(', ')}), no duplicates`, ['M1', 'M2', 'M5'], (w, v) => {
    const notes = ourEntries(w, vendor, num(v, idVar));
    const people = jiraComments(w, str(v, keyVar)).filter((c) => c.authorId !== jiraUs);
    const wrong = people
      .map((c) => ({ text: gist(c.text), n: notes.filter((e) => e.text.includes(gist(c.text))).length }))
      .filter((x) => x.n !== 1)
      .map((x) => `"${x.text}" on the ticket ${x.n} times`);
    if (wrong.length) return fail(wrong.join('; '));
    const m2 = notes.filter((e) => e.text.includes('rule M2'));
    const named = m2.map((e) => [...new Set(statusChanges)].filter((s) => e.text.includes(s)).join('/') || '?');
    if (m2.length !== statusChanges.length || m2.some((e, i) => !e.text.includes(statusChanges[i] as string))) {
      return fail(`M2 notes: ${m2.length} (${named.join(', ')}), expected ${statusChanges.length}: ${show(m2.map((e) => e.text))}`);
    }
    return ok(`${people.length} comment(s), ${m2.length} status change(s)`);
  });
}

/**
 * M3 over the whole story: every ticket comment by a person after the link (the J4 note) is in
 * Jira exactly once; those before it are in the issue's description (J2), not repeated as comments.
 */
export function oneCommentPerTicketEntry(vendor: Helpdesk, idVar: string, keyVar: string): Expectation<DemoWorld> {
  return eventually('one Jira comment per ticket comment made after the link, none for those before it, no duplicates', ['M3', 'J2'], (w, v) => {
    const key = str(v, keyVar);
    const entries = conversation(w, vendor, num(v, idVar));
    const linkedAt = entries.findIndex((e) => e.authorId === helpdeskUs(vendor) && e.text.includes(key));
    if (linkedAt < 0) return fail(`no note by helpdesk-sync names ${key}`);
    const ours = ourJiraComments(w, key);
    const copies = (e: Entry) => ours.filter((c) => c.text.includes(gist(e.text))).length;
    const people = (from: number, to?: number) => entries.slice(from, to).filter((e) => e.authorId !== helpdeskUs(vendor));
    const wrong = [
      ...people(0, linkedAt).filter((e) => copies(e) !== 0).map((e) => `"${gist(e.text)}" (written before the link) also in Jira as a comment ${copies(e)} time(s)`),
      ...people(linkedAt + 1).filter((e) => copies(e) !== 1).map((e) => `"${gist(e.text)}" in Jira ${copies(e)} times`),
    ];
    return wrong.length ? fail(wrong.join('; ')) : ok(`${people(linkedAt + 1).length} comment(s)`);
  });
}

/**
 * M5: nothing helpdesk-sync wrote came back. Its Jira comments cite only M3, M4 (and J5's
 * follow-up) and carry no text of a Jira comment; its ticket notes cite no M3 or M4 and carry
 * no text of a ticket comment written after the link.
 */
export function noEcho(vendor: Helpdesk, idVar: string, keyVar: string): Expectation<DemoWorld> {
  return {
    what: 'no echo: our notes never came back as Jira comments, nor our Jira comments as notes',
    rules: ['M5'],
    check: async (w, v): Promise<CheckResult> => {
      const key = str(v, keyVar);
      const ours = ourJiraComments(w, key);
      const people = jiraComments(w, key).filter((c) => c.authorId !== jiraUs);
      const badJira = ours.filter((c) => citedRules(c.text).some((r) => !['M3', 'M4', 'J5'].includes(r)) || people.some((p) => c.text.includes(gist(p.text))));
      if (badJira.length) return fail(`Jira comments by helpdesk-sync that mirror our own writes: ${show(badJira.map((c) => c.text))}`);
      const entries = conversation(w, vendor, num(v, idVar));
      const notes = ourEntries(w, vendor, num(v, idVar));
      const linkedAt = entries.findIndex((e) => e.authorId === helpdeskUs(vendor) && e.text.includes(key));
      const written = entries.slice(linkedAt + 1).filter((e) => e.authorId !== helpdeskUs(vendor));
      const badNotes = notes.filter((n) => citedRules(n.text).some((r) => r === 'M3' || r === 'M4') || written.some((e) => n.text.includes(gist(e.text))));
      if (badNotes.length) return fail(`notes by helpdesk-sync that mirror our own Jira comments: ${show(badNotes.map((n) => n.text))}`);
      return ok(`${ours.length} Jira comment(s) and ${notes.length} note(s) by helpdesk-sync, none an echo`);
    },
  };
}
