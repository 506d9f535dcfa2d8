import type { Ticket } from '../domain/ticket';
import { customFieldText } from '../jira/sections';
import type { PolicySettings } from './types';

export type KnowledgePart = 'outcome' | 'rootCause' | 'missingDocs';
export const KNOWLEDGE_PARTS: readonly KnowledgePart[] = ['outcome', 'rootCause', 'missingDocs'];
export const KNOWLEDGE_TITLES: Record<KnowledgePart, string> = {
  outcome: 'Outcome',
  rootCause: 'Root cause',
  missingDocs: 'Missing documentation',
};

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * E5: which headed parts a private note holds. A heading counts when text follows it, on its
 * line after a colon ("Root cause: ...") or on the next lines before another heading; "none"
 * is an answer.
 */
export function knowledgeInText(text: string, headings: Record<KnowledgePart, readonly string[]>): Set<KnowledgePart> {
  const patterns = KNOWLEDGE_PARTS.flatMap((part) =>
    headings[part].map((h) => ({ part, re: new RegExp(`^[\\s>#*_\\-]*${escapeRegex(h).replace(/ /g, '\\s+')}\\s*[*_]*\\s*(?::\\s*[*_]*\\s*(.*))?$`, 'i') })),
  );
  const found = new Set<KnowledgePart>();
  let current: KnowledgePart | null = null;
  for (const line of text.split('\n')) {
    const hit = patterns.map((p) => ({ part: p.part, m: p.re.exec(line) })).find((x) => x.m !== null);
    if (hit?.m) {
      current = hit.part;
      if ((hit.m[1] ?? '').trim() !== '') found.add(current);
      continue;
    }
    if (current !== null && line.trim() !== '') found.add(current);
  }
  return found;
}

/** E5: the knowledge parts the ticket still lacks, from custom fields first, else private notes. */
export function missingKnowledge(ticket: Ticket, settings: PolicySettings): KnowledgePart[] {
  const fields = settings.knowledgeFields[ticket.vendor];
  const found = new Set<KnowledgePart>();
  for (const part of KNOWLEDGE_PARTS) {
    const field = fields[part];
    if (field && customFieldText(ticket.customFields[field]) !== null) found.add(part);
  }
  for (const c of ticket.comments) {
    if (c.public) continue;
    for (const part of knowledgeInText(c.bodyText, settings.knowledgeHeadings)) found.add(part);
  }
  return KNOWLEDGE_PARTS.filter((p) => !found.has(p));
}
