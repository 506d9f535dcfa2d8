import { signNote } from '../domain/rules';
import { escapeHtml } from '../jira/notes';
import type { PolicyRuleId } from './types';

/**
 * The private notes the policy engine leaves: short, polite, and saying the rule in words an
 * agent knows. Every note ends with the signature line, so helpdesk-sync recognises its own
 * notes when they come back (M5), as the J4/J5 notes do.
 */
export { SIGNATURE as NOTE_SIGNATURE } from '../domain/rules';

const e = escapeHtml;

function signed(rule: PolicyRuleId, html: string): string {
  return signNote(html, rule);
}

function note(rule: PolicyRuleId, ...paragraphs: string[]): string {
  return signed(rule, paragraphs.map((p) => `<p>${p}</p>`).join(''));
}

/** T1 */
export function freeMailNote(domain: string, tag: string | null): string {
  const tagged = tag === null ? '' : ` It is tagged ${e(tag)}.`;
  return note(
    'T1',
    `The requester wrote from ${e(domain)}, a free-mail address that does not tell us who they work for.${tagged} ` +
      'Please confirm their employer and, if you can, ask them to use their work address. The ticket is handled as usual.',
  );
}

/** T2 */
export function organisationNote(domain: string, organisation: string, set: boolean): string {
  return set
    ? note('T2', `The requester had no organisation, so this ticket was set to ${e(organisation)}, which uses ${e(domain)}.`)
    : note('T2', `The requester has no organisation; ${e(domain)} belongs to ${e(organisation)}. Please set the ticket to it.`);
}

/** T2 */
export function unsupportedOrganisationNote(domain: string, tag: string | null): string {
  const tagged = tag === null ? '' : ` It is tagged ${e(tag)}.`;
  return note(
    'T2',
    `${e(domain)} does not belong to any organisation we support.${tagged} Please check who the requester works for before going further.`,
  );
}

/** T3 */
export function priorityNote(level: string, priority: string, impact: string, urgency: string, set: boolean): string {
  const what = `Impact ${e(impact)} and urgency ${e(urgency)} make this ${e(level)} (${e(priority)}) in our priority matrix.`;
  return set ? note('T3', `${what} Priority updated.`) : note('T3', `${what} Please set the priority to match.`);
}

/** T4 */
export function duplicateNote(earlier: { id: string; subject: string; url?: string }, tag: string | null): string {
  const name = earlier.url ? `<a href="${e(earlier.url)}">#${e(earlier.id)}</a>` : `#${e(earlier.id)}`;
  const tagged = tag === null ? '' : ` Tagged ${e(tag)}.`;
  return note(
    'T4',
    `This may repeat ticket ${name} ("${e(earlier.subject)}") from the same requester.${tagged} If so, please merge them so the requester gets one answer.`,
  );
}

/** E2 */
export function ladderNote(manager: string, firstEscalation: string, moved: boolean): string {
  const why = `The first escalation goes to ${e(firstEscalation)}; ${e(manager)} comes in after them, or straight away only for a complaint, high-risk or sensitive ticket.`;
  return moved
    ? note('E2', `${why} Moved to ${e(firstEscalation)}. If this one should go straight to ${e(manager)}, tag it accordingly and move it back.`)
    : note('E2', `${why} Please escalate to ${e(firstEscalation)} first, or tag the ticket if it is a complaint, high-risk or sensitive.`);
}

/** E3 */
export function consultReturnNote(reviewer: string, owner: string, reason: 'done' | 'window', hours: number, moved: boolean): string {
  const why =
    reason === 'done'
      ? `${e(reviewer)} has finished the review (see the private note).`
      : `The ${hours}-hour consult window with ${e(reviewer)} has run out.`;
  return moved
    ? note('E3', `${why} The ticket is back with ${e(owner)}, who owns it and stays in touch with the requester.`)
    : note('E3', `${why} Please return the ticket to its owner, ${e(owner)}.`);
}

/** E3 */
export function reviewNoteMissingNote(reviewer: string, tag: string): string {
  return note(
    'E3',
    `The review is marked ${e(tag)}, but there is no private note from ${e(reviewer)} yet. ` +
      'Please add the findings as a private note, so the owner can use them; the ticket then goes back to its owner.',
  );
}

/** E4 */
export function ownerContactNote(author: string, owner: string, tag: string): string {
  return note(
    'E4',
    `${e(author)} replied to the requester while the ticket was escalated. Requester contact belongs to the owner, ${e(owner)}: ` +
      `${e(owner)}, please read the reply and follow up. If ownership was agreed to move, tag the ticket ${e(tag)}.`,
  );
}

/** E5 */
export function knowledgeGapNote(owner: string, missing: readonly string[]): string {
  const items = missing.map((m) => `<li>${e(m)}</li>`).join('');
  return signed(
    'E5',
    `<p>${e(owner)}, this ticket was escalated, so what we learnt from it feeds the Knowledge Base and Glean. It was resolved without:</p>` +
      `<ul>${items}</ul><p>Please add a private note with these headings (or fill in the fields). Thank you.</p>`,
  );
}

/** H1 */
export function contextFirstNote(agent: string): string {
  return note(
    'H1',
    `${e(agent)}, Tier 2 works from your private comment: please add one saying what you have tried and what you need, so they can pick this up without asking. Thank you.`,
  );
}

/** H2 */
export function groupOnlyNote(assignee: string, cleared: boolean): string {
  const why = 'Escalations to Tier 2 go to the group, not a person, so any Tier 2 agent can pick this up.';
  return cleared ? note('H2', `${why} Assignee cleared.`) : note('H2', `${why} Please clear the assignee (${e(assignee)}).`);
}

/** H3 */
export function tier2PublicNote(author: string, owner: string): string {
  return note(
    'H3',
    `${e(author)} replied publicly. Tier 2 answers in private comments and ${e(owner)} keeps the requester contact: ` +
      `${e(owner)}, please read the reply and follow up with the requester.`,
  );
}

/** H4 */
export function handbackNote(owner: string, moved: boolean): string {
  return moved
    ? note('H4', `Tier 2 hands tickets back to the agent who owns them. Assigned back to ${e(owner)}.`)
    : note('H4', `Tier 2 hands tickets back to the agent who owns them: please assign this one to ${e(owner)}.`);
}
