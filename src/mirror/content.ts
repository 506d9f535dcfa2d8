import type { AdfDoc } from '../domain/actions';
import { refFor, signatureText, signNote } from '../domain/rules';
import type { JiraComment, Ticket, TicketComment } from '../domain/ticket';
import { bulletList, doc, em, link, paragraph, paragraphs, strong, type Inline } from '../jira/adf';
import { formatTime, ticketRef } from '../jira/compose';
import { escapeHtml } from '../jira/notes';

/** The words of M1-M4's notes and comments: short, saying who, when and what, and signed. */

const htmlParagraphs = (text: string): string =>
  text
    .split(/\n{2,}/)
    .filter((block) => block.trim() !== '')
    .map((block) => `<p>${escapeHtml(block.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('');

function signedDoc(rule: string, key: string, ...content: ReturnType<typeof paragraph>[]): AdfDoc {
  return doc(...content, paragraph(em(signatureText(rule, refFor(key))))) as AdfDoc;
}

/** M1: a Jira comment as a private note on the ticket. */
export function jiraCommentNote(issueKey: string, comment: JiraComment, key: string): string {
  const who = comment.authorName ?? (comment.authorAccountId ? `Jira user ${comment.authorAccountId}` : 'someone in Jira');
  const where = comment.public ? '' : ' (internal in Jira)';
  return signNote(`<p><b>${escapeHtml(who)}</b> commented on ${escapeHtml(issueKey)}${where}, ${escapeHtml(formatTime(comment.created))}:</p>${htmlParagraphs(comment.bodyText) || '<p>(no text)</p>'}`, 'M1', refFor(key));
}

/** M2: the Jira status moved. */
export function statusNote(issueKey: string, from: string, to: string, ticketStatus: string | null, key: string): string {
  const follows = ticketStatus ? ` The ticket is now ${escapeHtml(ticketStatus.replace('_', ' '))}.` : '';
  return signNote(`<p>${escapeHtml(issueKey)} moved from <b>${escapeHtml(from)}</b> to <b>${escapeHtml(to)}</b> in Jira.${follows}</p>`, 'M2', refFor(key));
}

/** M2: Jira is done; the ticket goes back to its owner to confirm with the requester. */
export function doneNote(issueKey: string, status: string, ownerKnown: boolean, key: string): string {
  const back = ownerKnown ? 'The ticket is back with its owner, open' : 'No owner is recorded for this ticket (E1), so it stays where it is, open';
  return signNote(
    `<p>Engineering finished ${escapeHtml(issueKey)} (${escapeHtml(status)}). ${back}: it is ready to confirm with the requester before it is solved.</p>`,
    'M2',
    refFor(key),
  );
}

function authorOf(comment: TicketComment): { name: string; role: string } {
  const name = comment.author?.name ?? comment.author?.email ?? (comment.authorId ? `user ${comment.authorId}` : 'unknown author');
  const requester = comment.incoming || comment.author?.role === 'end-user';
  return { name, role: requester ? 'requester' : 'agent' };
}

/** M3: a reply or note of the ticket as a Jira comment. */
export function ticketCommentAdf(ticket: Ticket, comment: TicketComment, key: string): AdfDoc {
  const { name, role } = authorOf(comment);
  const seen = comment.public ? 'Public reply: the requester saw this.' : 'Private note: not visible to the requester.';
  const body = paragraphs(comment.bodyText.trim() || '(no text)');
  const files = comment.attachments?.length ? [paragraph(strong('Attachments')), bulletList(comment.attachments.map((a): Inline[] => [link(a.name, a.url)]))] : [];
  return signedDoc('M3', key, paragraph(strong(name), ` (${role}) on ${ticketRef(ticket)}, ${formatTime(comment.createdAt)}`), paragraph(em(seen)), ...body, ...files);
}

/** M4: why the issue moves back to work. */
export function reopenAdf(ticket: Ticket, from: string, lastWord: TicketComment | null, key: string): AdfDoc {
  const said = lastWord ? [paragraph(`${authorOf(lastWord).name} wrote: `, em(lastWord.bodyText.trim().slice(0, 500)))] : [];
  return signedDoc('M4', key, paragraph(`${ticketRef(ticket)} was reopened (${from} to ${ticket.status.replace('_', ' ')}) after it was solved, so this issue goes back to work in progress.`), ...said);
}

/** M2 (priority) and M6: the words of a decision about a field. */
export const fieldSummary = (field: string, from: string | null, to: string | null) => `${field} ${from ?? 'none'} -> ${to ?? 'none'}`;
