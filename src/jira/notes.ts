import { doc, heading, paragraph, paragraphs } from './adf';
import { cleanText } from './html-text';
import { SECTION_NAMES, SECTION_TITLES } from './sections';
import type { AdfDocument, AdfNode, IssueKind, SectionName, Sections } from './types';

/** Private notes are HTML on both helpdesks; every value that goes into one is escaped. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function anchor(url: string): string {
  const safe = escapeHtml(url);
  return `<a href="${safe}">${safe}</a>`;
}

function issueName(kind: IssueKind, issueKey: string): string {
  return kind === 'bug' ? `Jira Bug ${escapeHtml(issueKey)}` : `Jira customer request ${escapeHtml(issueKey)}`;
}

/**
 * J4: the ticket side of the two-way link. A request also says where it goes next (J3), so the
 * owner can tell the requester what to expect.
 */
export function linkNote(issueKey: string, issueUrl: string, kind: IssueKind): string {
  const next =
    kind === 'request'
      ? ' It will be reviewed with the senior team, who decide on customer requests.'
      : '';
  return (
    `<p>${issueName(kind, issueKey)} was raised for this ticket: ${anchor(issueUrl)}. ` +
    `Updates will be mirrored here.${next}</p>`
  );
}

/**
 * J5: the bug is raised anyway; the owner learns exactly which headings to add so the sync
 * can pick them up from a private note.
 */
export function missingInfoNote(missing: readonly SectionName[], issueKey: string, issueUrl: string): string {
  const items = missing.map((name) => `<li>${escapeHtml(SECTION_TITLES[name])}</li>`).join('');
  const example = missing.map((name) => `"${escapeHtml(SECTION_TITLES[name])}:"`).join(', ');
  return (
    `<p>${issueName('bug', issueKey)} (${anchor(issueUrl)}) was raised without everything our bug process ` +
    `asks for, so it is labelled needs-info. Missing:</p>` +
    `<ul>${items}</ul>` +
    `<p>Please add a private note with these headings (${example}) followed by the details; ` +
    `they will be copied to the Jira issue. Thank you.</p>`
  );
}

/** J5: the Jira comment when missing parts arrive on the ticket after the issue was raised. */
export function followUpComment(sections: Partial<Sections>): AdfDocument {
  const nodes: AdfNode[] = [paragraph('The ticket now has details that were missing when this issue was raised:')];
  for (const name of SECTION_NAMES) {
    const value = sections[name];
    if (value === null || value === undefined || cleanText(value) === '') continue;
    nodes.push(heading(3, SECTION_TITLES[name]), ...paragraphs(cleanText(value)));
  }
  return doc(...nodes);
}
