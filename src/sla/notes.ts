import type { AdfDoc } from '../domain/actions';
import { refFor, signatureText, signNote } from '../domain/rules';
import type { SlaTargetName, TargetClock } from '../domain/sla';
import { doc, em, paragraph, strong, text } from '../jira/adf';
import { formatTime } from '../jira/compose';
import { escapeHtml } from '../jira/notes';
import { formatSpan } from './duration';

/** The words of S2 and S3: which target, when it was due, how late, and what was done. */

export const TARGET_WORDS: Record<SlaTargetName, string> = {
  first_response: 'first response',
  resolution: 'resolution',
};

const e = escapeHtml;

/** S2: a target ran out. `movedTo` names the manager group it went to, when it was moved. */
export function breachNote(clock: TargetClock, priority: string | null, lateMs: number, tag: string, movedTo: string | null, calendar: string | null, key: string): string {
  const goal = clock.goal ? ` of ${e(clock.goal.text)}${calendar ? ' in business hours' : ''}` : '';
  const source = clock.source === 'helpdesk' ? ' (the helpdesk’s own SLA policy)' : '';
  const due = clock.breachedAt ?? clock.dueAt;
  const parts = [
    `<p><b>SLA breached: ${TARGET_WORDS[clock.target]}.</b> The ${TARGET_WORDS[clock.target]} target${goal}${priority ? ` for ${e(priority)} tickets` : ''}${source} was due ${due ? e(formatTime(due)) : 'earlier'}; the ticket is ${e(formatSpan(lateMs))} late.</p>`,
    `<p>Tagged <b>${e(tag)}</b>${movedTo ? ` and escalated to <b>${e(movedTo)}</b>; the owner stays the owner` : ''}.</p>`,
  ];
  return signNote(parts.join(''), 'S2', refFor(key));
}

/** S3 on the ticket: the linked bug is past its fix target, so the owner can tell the requester. */
export function fixOverdueNote(issueKey: string, jiraPriority: string | null, goal: string, dueAt: string, lateMs: number, key: string): string {
  return signNote(
    `<p><b>Fix overdue:</b> ${e(issueKey)}${jiraPriority ? ` (${e(jiraPriority)})` : ''} has a fix target of ${e(goal)} and was due ${e(formatTime(dueAt))}; it is ${e(formatSpan(lateMs))} late and not done. You may want to tell the requester where it stands.</p>`,
    'S3',
    refFor(key),
  );
}

/** S3 on the Jira issue. */
export function fixOverdueAdf(ticketLabel: string, jiraPriority: string | null, goal: string, dueAt: string, lateMs: number, key: string): AdfDoc {
  return doc(
    paragraph(strong('Fix overdue.'), text(` This ${jiraPriority ?? ''}${jiraPriority ? ' ' : ''}issue has a fix target of ${goal} and was due ${formatTime(dueAt)}; it is ${formatSpan(lateMs)} late. The customer's ticket is ${ticketLabel}.`)),
    paragraph(em(signatureText('S3', refFor(key)))),
  ) as AdfDoc;
}
