import type { Ticket } from '../domain/ticket';
import { bodyToText, cleanText, htmlToText } from './html-text';
import type { IssueKind, SectionName, Sections } from './types';

export type SectionFieldNames = Partial<Record<SectionName, string>>;

export const SECTION_NAMES: readonly SectionName[] = ['steps', 'impact', 'environment'];

export const SECTION_TITLES: Record<SectionName, string> = {
  steps: 'Steps to reproduce',
  impact: 'Impact',
  environment: 'Environment',
};

/** Longer spellings first, so "Steps to reproduce" is not read as "Steps" plus text. */
const HEADINGS: ReadonlyArray<{ pattern: string; section: SectionName | null }> = [
  { pattern: 'steps to reproduce', section: 'steps' },
  { pattern: 'reproduction steps', section: 'steps' },
  { pattern: 'repro steps', section: 'steps' },
  { pattern: 'steps', section: 'steps' },
  { pattern: 'business impact', section: 'impact' },
  { pattern: 'impact', section: 'impact' },
  { pattern: 'environment', section: 'environment' },
  { pattern: 'env', section: 'environment' },
  // E5's knowledge-capture headings end a section too: they often follow in the same note.
  { pattern: 'outcome', section: null },
  { pattern: 'root cause', section: null },
  { pattern: 'missing documentation', section: null },
];

// Leading list bullets, quote marks and markdown emphasis around a heading are decoration.
const PREFIX = String.raw`^[\s>#*_\-]*`;
const EMPHASIS = String.raw`[*_]*`;
const ALTERNATIVES = HEADINGS.map((h) => h.pattern.replace(/ /g, String.raw`\s+`)).join('|');
/** "Impact" or "Impact:" alone on its line. */
const HEADING_ALONE = new RegExp(`${PREFIX}(${ALTERNATIVES})\\s*${EMPHASIS}\\s*:?\\s*${EMPHASIS}\\s*$`, 'i');
/** "Impact: every EU customer": the colon is required, or "Impact is huge" would count. */
const HEADING_INLINE = new RegExp(`${PREFIX}(${ALTERNATIVES})\\s*${EMPHASIS}\\s*:\\s*${EMPHASIS}\\s*(\\S.*)$`, 'i');

interface HeadingLine {
  section: SectionName | null;
  rest: string;
}

function sectionOfHeading(words: string): SectionName | null {
  const normalised = words.toLowerCase().replace(/\s+/g, ' ');
  return HEADINGS.find((h) => h.pattern === normalised)?.section ?? null;
}

function readHeading(line: string): HeadingLine | null {
  const inline = HEADING_INLINE.exec(line);
  if (inline?.[1] !== undefined) return { section: sectionOfHeading(inline[1]), rest: inline[2] ?? '' };
  const alone = HEADING_ALONE.exec(line);
  if (alone?.[1] !== undefined) return { section: sectionOfHeading(alone[1]), rest: '' };
  return null;
}

/** html-to-text indents list items; a section cut out of a list should not start mid-indent. */
function dedent(lines: readonly string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(common, /^[ \t]*/.exec(l)?.[0].length ?? 0)));
}

function emptySections(): Sections {
  return { steps: null, impact: null, environment: null };
}

/**
 * Headed sections of one text. A body runs to the next known heading or the end; a heading
 * repeated in the same text counts with its last non-empty body.
 */
export function sectionsInText(text: string): Sections {
  const found = emptySections();
  let current: SectionName | null = null;
  let lines: string[] = [];
  const flush = (): void => {
    if (current === null) return;
    const body = cleanText(dedent(lines).join('\n'));
    if (body !== '') found[current] = body;
  };
  for (const line of text.split('\n')) {
    const heading = readHeading(line);
    if (heading === null) {
      lines.push(line);
      continue;
    }
    flush();
    current = heading.section;
    lines = heading.rest === '' ? [] : [heading.rest];
  }
  flush();
  return found;
}

/** Custom fields hold plain text, HTML (Freshdesk paragraph fields) or lists. */
export function customFieldText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    const parts = value.map(customFieldText).filter((v): v is string => v !== null);
    return parts.length > 0 ? parts.join(', ') : null;
  }
  if (typeof value === 'object') return cleanText(JSON.stringify(value)) || null;
  const raw = String(value);
  const text = /<[a-z][^>]*>/i.test(raw) ? htmlToText(raw) : cleanText(raw);
  return text === '' ? null : text;
}

function sectionsFromFields(ticket: Ticket, fieldNames: SectionFieldNames): Sections {
  const found = emptySections();
  for (const name of SECTION_NAMES) {
    const field = fieldNames[name];
    if (field !== undefined && field !== '') found[name] = customFieldText(ticket.customFields[field]);
  }
  return found;
}

/** The description first, then every reply and note oldest first, so later text overrides. */
function ticketTexts(ticket: Ticket): string[] {
  return [
    bodyToText(ticket.descriptionHtml, ticket.descriptionText),
    ...ticket.comments.map((c) => bodyToText(c.bodyHtml, c.bodyText)),
  ];
}

function sectionsFromHeadings(ticket: Ticket): Sections {
  const found = emptySections();
  for (const text of ticketTexts(ticket)) {
    const inText = sectionsInText(text);
    for (const name of SECTION_NAMES) found[name] = inText[name] ?? found[name];
  }
  return found;
}

/**
 * J2: steps to reproduce, impact and environment. A configured custom field is the team's
 * deliberate record, so it wins; headed sections of the description and notes fill the gaps,
 * the latest note winning because it is the owner's most recent understanding.
 */
export function extractSections(ticket: Ticket, fieldNames: SectionFieldNames): Sections {
  const fromFields = sectionsFromFields(ticket, fieldNames);
  if (SECTION_NAMES.every((n) => fromFields[n] !== null)) return fromFields;
  const fromHeadings = sectionsFromHeadings(ticket);
  return {
    steps: fromFields.steps ?? fromHeadings.steps,
    impact: fromFields.impact ?? fromHeadings.impact,
    environment: fromFields.environment ?? fromHeadings.environment,
  };
}

/** J5: only a bug must carry all three; a request is raised as it is. */
export function missingSections(kind: IssueKind, sections: Sections): SectionName[] {
  if (kind !== 'bug') return [];
  return SECTION_NAMES.filter((n) => sections[n] === null || sections[n].trim() === '');
}
