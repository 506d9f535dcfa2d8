import type { AdfDoc } from '../domain/actions';
import { refFor, signatureText, signNote } from '../domain/rules';
import type { JiraComment, Ticket, TicketComment } from '../domain/ticket';
import { bulletList, doc, em, link, paragraph, paragraphs, strong, type Inline } from '../jira/adf';
import { formatTime, ticketRef, trimBody } from '../jira/compose';
import { cleanText } from '../jira/html-text';
import { escapeHtml } from '../jira/notes';

/** Jira refuses comment bodies over 32,767 characters; the header and signature need the rest. */
const MAX_COMMENT_BODY = 30_000;

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

/** M2: the Jira status moved; `remark` says why the ticket's status was left alone, where it was. */
export function statusNote(issueKey: string, from: string, to: string, ticketStatus: string | null, key: string, remark?: string): string {
  const follows = ticketStatus ? ` The ticket is now ${escapeHtml(ticketStatus.replace('_', ' '))}.` : '';
  const why = remark ? ` ${escapeHtml(remark)}` : '';
  return signNote(`<p>${escapeHtml(issueKey)} moved from <b>${escapeHtml(from)}</b> to <b>${escapeHtml(to)}</b> in Jira.${follows}${why}</p>`, 'M2', refFor(key));
}

/**
 * M2: Jira is done; the ticket goes back to its owner to confirm with the requester. `applied`
 * false: the helpdesk owns the status, so the note says so instead of claiming the return.
 */
export function doneNote(issueKey: string, status: string, ownerKnown: boolean, key: string, applied = true): string {
  const back = !applied
    ? 'The helpdesk owns the ticket status (mirror.ownership.status), so the ticket is left as it is'
    : ownerKnown
      ? 'The ticket is back with its owner, open'
      : 'No owner is recorded for this ticket (E1), so it stays where it is, open';
  return signNote(
    `<p>Engineering finished ${escapeHtml(issueKey)} (${escapeHtml(status)}). ${back}: it is ready to confirm with the requester before it is solved.</p>`,
    'M2',
    refFor(key),
  );
}

function authorOf(comment: TicketComment, ticket: Ticket): { name: string; role: string } {
  const name = comment.author?.name?.trim() || comment.author?.email || (comment.authorId ? `user ${comment.authorId}` : 'unknown author');
  const requester = (comment.authorId !== null && comment.authorId === ticket.requester?.id) || comment.incoming || comment.author?.role === 'end-user';
  return { name, role: requester ? 'requester' : 'agent' };
}

/** M3: a reply or note of the ticket as a Jira comment. */
export function ticketCommentAdf(ticket: Ticket, comment: TicketComment, key: string): AdfDoc {
  const { name, role } = authorOf(comment, ticket);
  const seen = comment.public ? 'Public reply: the requester saw this.' : 'Private note: not visible to the requester.';
  // Clean text: control characters and lone surrogates make Jira refuse the whole comment.
  const text = trimBody(cleanText(comment.bodyText), MAX_COMMENT_BODY);
  const body = text === '' ? [paragraph(em('(no text)'))] : paragraphs(text);
  const files = comment.attachments?.length
    ? [paragraph(strong('Attachments')), bulletList(comment.attachments.map((a): Inline[] => [/^https?:\/\//i.test(a.url) ? link(a.name, a.url) : a.name || a.url]))]
    : [];
  return signedDoc('M3', key, paragraph(strong(name), ` (${role}) on ${ticketRef(ticket)}, ${formatTime(comment.createdAt)}`), paragraph(em(seen)), ...body, ...files);
}

/**
 * M4: why the issue moves back to work. It names who reopened it, not what they wrote: their
 * reply arrives as its own M3 comment, and quoting it here would put it in Jira twice.
 */
export function reopenAdf(ticket: Ticket, from: string, lastWord: TicketComment | null, key: string): AdfDoc {
  const author = lastWord ? authorOf(lastWord, ticket) : null;
  const who = lastWord && author ? ` when ${author.name} (${author.role}) replied at ${formatTime(lastWord.createdAt)}` : '';
  return signedDoc(
    'M4',
    key,
    paragraph(`${ticketRef(ticket)} was reopened${who} (${from} to ${ticket.status.replace('_', ' ')}) after it was solved, so this issue goes back to work in progress.`),
  );
}

/** M2 (priority) and M6: the words of a decision about a field. */
export const fieldSummary = (field: string, from: string | null, to: string | null) => `${field} ${from ?? 'none'} -> ${to ?? 'none'}`;
