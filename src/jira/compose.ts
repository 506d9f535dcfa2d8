import type { JiraIssuesConfig } from '../config/schema';
import type { Person, Ticket, TicketComment } from '../domain/ticket';
import {
  bulletList,
  doc,
  em,
  heading,
  lines,
  link,
  paragraph,
  paragraphs,
  rule,
  strong,
  table,
  tableCell,
  tableHeader,
  tableRow,
  type Inline,
} from './adf';
import { bodyToText, cleanText, cutAtWord, cutText, singleLine } from './html-text';
import { customFieldText, extractSections, missingSections, SECTION_NAMES, SECTION_TITLES } from './sections';
import type { AdfDocument, AdfNode, ComposedIssue, ComposeInput, IssueKind, SectionName, Sections, TrailEntry } from './types';

const SUMMARY_MAX = 255;
const LABEL_MAX = 255;
const PROPERTY_KEY = 'helpdesk-sync';
/** J3: every customer request is flagged for the senior team's decision meeting. */
const REQUEST_LABELS = ['customer-request', 'senior-team-review'];

const VENDOR_NAMES: Record<Ticket['vendor'], string> = { freshdesk: 'Freshdesk', zendesk: 'Zendesk' };
const VENDOR_PREFIXES: Record<Ticket['vendor'], string> = { freshdesk: 'FD', zendesk: 'ZD' };

// ---- identity ----

/** "FD#1003": how agents quote a ticket, and the suffix of the summary. */
export function ticketRef(ticket: Pick<Ticket, 'vendor' | 'id'>): string {
  return `${VENDOR_PREFIXES[ticket.vendor]}#${ticket.id}`;
}

/**
 * Labels cannot hold spaces (Jira fails the whole create with 400); anything beyond letters, digits, `_`, `.`
 * and `-` becomes a dash too, because label search treats other punctuation inconsistently.
 */
export function slugifyLabel(value: string): string {
  const slug = cleanText(value)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_.-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  return cutText(slug, LABEL_MAX);
}

/** A label Jira can search for before creating, so a retried create finds the first issue (J1). */
export function identityLabel(ticket: Pick<Ticket, 'vendor' | 'connectionId' | 'id'>): string {
  return slugifyLabel(`hs-${ticket.vendor}-${ticket.connectionId}-${ticket.id}`);
}

/** The remote link's globalId (J4): links with the same globalId are updated, never duplicated. */
export function ticketGlobalId(ticket: Pick<Ticket, 'vendor' | 'connectionId' | 'id'>): string {
  return cutText(`helpdesk-sync:${ticket.vendor}:${ticket.connectionId}:ticket:${ticket.id}`, 255);
}

// ---- summary and labels ----

/** "<subject> (FD#1003)": one line, at most 255 characters, the ticket reference always kept. */
export function composeSummary(ticket: Ticket): string {
  const suffix = ` (${ticketRef(ticket)})`;
  const subject = singleLine(ticket.subject) || '(no subject)';
  const room = SUMMARY_MAX - suffix.length;
  const fitted = subject.length <= room ? subject : `${cutText(subject, room - 1).trimEnd()}…`;
  return `${fitted}${suffix}`;
}

function isKeyTag(tag: string, config: JiraIssuesConfig): boolean {
  const storage = config.keyStorage;
  return storage.kind === 'tag' && tag.toLowerCase().startsWith(storage.prefix.toLowerCase());
}

/** J3 request labels, the identity label and J5's needs-info; never the J4 key tag itself. */
export function composeLabels(ticket: Ticket, kind: IssueKind, missing: readonly SectionName[], config: JiraIssuesConfig): string[] {
  const copied = config.copyTicketTags ? ticket.tags.filter((t) => !isKeyTag(t, config)) : [];
  const candidates = [
    ...config.labels,
    ...copied,
    ...(kind === 'request' ? REQUEST_LABELS : []),
    identityLabel(ticket),
    ...(kind === 'bug' && missing.length > 0 ? [config.needsInfoLabel] : []),
  ];
  const out: string[] = [];
  for (const candidate of candidates) {
    const label = slugifyLabel(candidate);
    if (label !== '' && !out.includes(label)) out.push(label);
  }
  return out;
}

// ---- communication summary ----

export type MessageRole = 'requester' | 'agent' | 'unknown';

export interface Message {
  at: string;
  author: string;
  role: MessageRole;
  public: boolean;
  text: string;
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function personLabel(person: Person | null, fallbackId: string | null): string {
  const name = person?.name ? singleLine(person.name) : '';
  if (name !== '') return name;
  if (person?.email) return person.email;
  return fallbackId !== null ? `user ${fallbackId}` : 'unknown author';
}

function roleOf(author: Person | null, authorId: string | null, incoming: boolean, ticket: Ticket): MessageRole {
  if (authorId !== null && authorId === ticket.requester?.id) return 'requester';
  if (author?.role === 'end-user') return 'requester';
  if (author?.role === 'agent' || author?.role === 'admin') return 'agent';
  return incoming ? 'requester' : 'unknown';
}

function commentMessage(comment: TicketComment, ticket: Ticket): Message {
  return {
    at: comment.createdAt,
    author: personLabel(comment.author, comment.authorId),
    role: roleOf(comment.author, comment.authorId, comment.incoming, ticket),
    public: comment.public,
    text: bodyToText(comment.bodyHtml, comment.bodyText),
  };
}

/**
 * Zendesk's first comment is the description, so printing both would say it twice; Freshdesk
 * keeps the description out of its conversations, so there it is a message of its own.
 */
function descriptionMessage(ticket: Ticket): Message | null {
  const text = bodyToText(ticket.descriptionHtml, ticket.descriptionText);
  if (text === '') return null;
  if (ticket.vendor === 'zendesk' && ticket.comments.length > 0) return null;
  const first = ticket.comments[0];
  if (first !== undefined && bodyToText(first.bodyHtml, first.bodyText) === text) return null;
  return {
    at: ticket.createdAt,
    author: personLabel(ticket.requester, ticket.requester?.id ?? null),
    role: ticket.requester ? 'requester' : 'unknown',
    public: true,
    text,
  };
}

/** J2: every message, oldest first, the description included exactly once. */
export function communicationMessages(ticket: Ticket): Message[] {
  const description = descriptionMessage(ticket);
  const comments = ticket.comments.map((c) => commentMessage(c, ticket));
  return description ? [description, ...comments] : comments;
}

/** A gap stands for the messages a long thread leaves out. */
export type ThreadEntry = { kind: 'message'; message: Message } | { kind: 'gap'; count: number };

/**
 * Threads longer than maxMessages keep the opening (the report and the first answer) and the
 * latest messages, which say where the ticket stands now.
 */
export function selectMessages(messages: readonly Message[], maxMessages: number): ThreadEntry[] {
  const asEntries = (list: readonly Message[]): ThreadEntry[] => list.map((message) => ({ kind: 'message', message }));
  if (messages.length <= maxMessages) return asEntries(messages);
  const head = maxMessages >= 4 ? 2 : 1;
  const tail = Math.max(0, maxMessages - head);
  return [
    ...asEntries(messages.slice(0, head)),
    { kind: 'gap', count: messages.length - head - tail },
    ...asEntries(tail > 0 ? messages.slice(-tail) : []),
  ];
}

/** The body cut to `limit` characters with a visible marker saying how much went. */
export function trimBody(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const kept = limit > 0 ? cutAtWord(text, limit).trimEnd() : '';
  const marker = `[… trimmed, ${text.length - kept.length} more characters]`;
  return kept === '' ? marker : `${kept} ${marker}`;
}

function messageNodes(message: Message, limit: number): AdfNode[] {
  const body = trimBody(message.text, limit);
  const header = paragraph(
    strong(formatTime(message.at)),
    ' · ',
    strong(message.author),
    ` (${message.role}) · `,
    message.public ? 'public reply' : em('private note'),
  );
  return [header, ...(body === '' ? [paragraph(em('(no text)'))] : paragraphs(body))];
}

function communicationNodes(entries: readonly ThreadEntry[], limits: readonly number[]): AdfNode[] {
  if (entries.length === 0) return [paragraph(em('No messages yet'))];
  const nodes: AdfNode[] = [];
  let messageIndex = 0;
  for (const entry of entries) {
    if (entry.kind === 'gap') {
      nodes.push(paragraph(em(`… ${entry.count} messages left out …`)));
      continue;
    }
    nodes.push(...messageNodes(entry.message, limits[messageIndex] ?? 0));
    messageIndex += 1;
  }
  return nodes;
}

// ---- the other description sections ----

function labelled(label: string, value: Inline): Inline[] {
  return [strong(`${label}: `), value];
}

function personNodes(person: Person | null, organisation: string | null): AdfNode {
  return bulletList([
    labelled('Name', person?.name ? singleLine(person.name) : em('unknown')),
    labelled('Email', person?.email ?? em('unknown')),
    labelled('Organisation', organisation ?? em('none recorded')),
  ]);
}

function requesterNodes(ticket: Ticket): AdfNode[] {
  if (ticket.requester === null) return [paragraph(em('No requester recorded'))];
  return [personNodes(ticket.requester, ticket.organisation ? singleLine(ticket.organisation.name) : null)];
}

function ownerNodes(owner: Person | null): AdfNode[] {
  if (owner === null) return [paragraph(em('not recorded yet'))];
  return [
    bulletList([
      labelled('Name', owner.name ? singleLine(owner.name) : em('unknown')),
      labelled('Email', owner.email ?? em('unknown')),
    ]),
  ];
}

/** Non-empty custom fields as "key: value"; `false` is a real answer, null and "" are not. */
export function customFieldLines(fields: Record<string, unknown>): string[] {
  return Object.entries(fields)
    .map(([key, value]) => [key, customFieldText(value)] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== null)
    .map(([key, value]) => `${key}: ${singleLine(value)}`);
}

function row(label: string, ...value: Inline[]): AdfNode {
  return tableRow(tableHeader(label), tableCell(...value));
}

function orNotSet(value: string | null): Inline {
  return value !== null && value.trim() !== '' ? singleLine(value) : em('not set');
}

function ticketTable(ticket: Ticket): AdfNode {
  const fields = customFieldLines(ticket.customFields);
  return table(
    tableRow(tableHeader('Field'), tableHeader('Value')),
    row('Vendor', VENDOR_NAMES[ticket.vendor]),
    row('Ticket', link(ticketRef(ticket), ticket.url)),
    row('Subject', orNotSet(ticket.subject)),
    row('Status', `${ticket.status} (${VENDOR_NAMES[ticket.vendor]} status: ${singleLine(ticket.vendorStatus)})`),
    row('Priority', orNotSet(ticket.priority)),
    row('Type', orNotSet(ticket.type)),
    row('Group', ticket.groupName && ticket.groupId ? `${ticket.groupName} (${ticket.groupId})` : orNotSet(ticket.groupId)),
    row('Tags', ticket.tags.length > 0 ? singleLine(ticket.tags.join(', ')) : em('none')),
    row('Custom fields', ...(fields.length > 0 ? lines(fields.join('\n')) : [em('none')])),
    row('Created', formatTime(ticket.createdAt)),
    row('Updated', formatTime(ticket.updatedAt)),
  );
}

function sectionNodes(name: SectionName, sections: Sections): AdfNode[] {
  const value = sections[name];
  const body = value === null || value.trim() === '' ? [paragraph(em('Not provided'))] : paragraphs(cleanText(value));
  return [heading(2, SECTION_TITLES[name]), ...body];
}

function trailLine(entry: TrailEntry): Inline[] {
  return [
    strong(formatTime(entry.at)),
    ` · ${singleLine(entry.direction)}: ${entry.from ?? 'unknown'} → ${entry.to ?? 'unknown'}`,
    entry.actor ? ` (by ${entry.actor})` : null,
  ];
}

function trailNodes(trail: readonly TrailEntry[]): AdfNode[] {
  if (trail.length === 0) return [paragraph(em('No handoffs recorded'))];
  return [bulletList(trail.map(trailLine))];
}

// ---- the description and its length budget ----

interface DescriptionParts {
  input: ComposeInput;
  sections: Sections;
  thread: ThreadEntry[];
}

function introNodes(input: ComposeInput): AdfNode {
  const { ticket } = input;
  return paragraph(
    `Raised by helpdesk-sync from ${VENDOR_NAMES[ticket.vendor]} ticket `,
    link(ticketRef(ticket), ticket.url),
    ` as of ${formatTime(input.now.toISOString())}.`,
  );
}

function truncationNotice(ticket: Ticket): AdfNode {
  return paragraph(
    em("This description was shortened to fit Jira's size limit. The full conversation is on the ticket: "),
    link(ticketRef(ticket), ticket.url),
  );
}

/** J2's section order: who, what ticket, what was said, the bug facts, who handled it. */
function renderDescription(parts: DescriptionParts, limits: readonly number[], truncated: boolean): AdfDocument {
  const { input, sections, thread } = parts;
  return doc(
    introNodes(input),
    heading(2, 'Requester'),
    ...requesterNodes(input.ticket),
    heading(2, 'Internal contact'),
    ...ownerNodes(input.owner),
    heading(2, 'Ticket'),
    ticketTable(input.ticket),
    heading(2, 'Communication summary'),
    ...communicationNodes(thread, limits),
    ...SECTION_NAMES.flatMap((name) => sectionNodes(name, sections)),
    heading(2, 'Escalation trail'),
    ...trailNodes(input.trail),
    ...(truncated ? [rule(), truncationNotice(input.ticket)] : []),
  );
}

/** Jira stores ADF as JSON and counts that JSON against its 32,767-character field limit. */
export function descriptionSize(description: AdfDocument): number {
  return JSON.stringify(description).length;
}

type CutGroup = 'middle' | 'first' | 'latest';

/**
 * Which bodies give way first, and how far: the middle of the thread goes first (oldest first
 * within each step), the opening report next, the latest message last because it says where
 * the ticket stands. A body at 0 keeps only its trim marker.
 */
const CUT_STEPS: ReadonlyArray<readonly [CutGroup, number]> = [
  ['middle', 500],
  ['middle', 150],
  ['first', 500],
  ['middle', 0],
  ['first', 150],
  ['latest', 500],
  ['first', 0],
  ['latest', 150],
  ['latest', 0],
];

function groupIndexes(group: CutGroup, count: number): number[] {
  if (count === 0) return [];
  if (group === 'first') return [0];
  if (group === 'latest') return count > 1 ? [count - 1] : [];
  return Array.from({ length: Math.max(0, count - 2) }, (_, i) => i + 1);
}

function clampTextNodes(node: AdfNode, max: number): AdfNode {
  const copy: AdfNode = { ...node };
  if (copy.type === 'text' && copy.text !== undefined && copy.text.length > max) {
    copy.text = `${cutText(copy.text, max).trimEnd() || copy.text.slice(0, 1)}…`;
  }
  if (copy.content) copy.content = copy.content.map((child) => clampTextNodes(child, max));
  return copy;
}

function fitDescription(parts: DescriptionParts, maxChars: number, maxMessageChars: number): { description: AdfDocument; truncated: boolean } {
  const messageCount = parts.thread.filter((e) => e.kind === 'message').length;
  const limits = Array.from({ length: messageCount }, () => maxMessageChars);
  const full = renderDescription(parts, limits, false);
  if (descriptionSize(full) <= maxChars) return { description: full, truncated: false };

  for (const [group, level] of CUT_STEPS) {
    for (const index of groupIndexes(group, messageCount)) {
      if ((limits[index] ?? 0) <= level) continue;
      limits[index] = level;
      const candidate = renderDescription(parts, limits, true);
      if (descriptionSize(candidate) <= maxChars) return { description: candidate, truncated: true };
    }
  }
  // Past this point the ticket itself is huge (fields, tags, trail): clamp every text.
  const bare = renderDescription(parts, limits, true);
  for (const max of [1000, 300, 80]) {
    const clamped: AdfDocument = { ...bare, content: bare.content.map((n) => clampTextNodes(n, max)) };
    if (descriptionSize(clamped) <= maxChars) return { description: clamped, truncated: true };
  }
  return { description: doc(introNodes(parts.input), truncationNotice(parts.input.ticket)), truncated: true };
}

// ---- the issue ----

function issueTypeOf(kind: IssueKind, config: JiraIssuesConfig): string {
  return kind === 'bug' ? config.bugIssueType : config.requestIssueType;
}

/**
 * J2/J3/J5: the create call's fields for one ticket. Pure: the same input gives the same
 * issue, which is what lets `preview` show exactly what would be sent.
 */
export function composeIssue(input: ComposeInput): ComposedIssue {
  const { ticket, kind, config } = input;
  const sections = extractSections(ticket, config.sectionFields[ticket.vendor]);
  const missing = missingSections(kind, sections);
  const thread = selectMessages(communicationMessages(ticket), config.communication.maxMessages);
  const { description, truncated } = fitDescription(
    { input, sections, thread },
    config.communication.maxDescriptionChars,
    config.communication.maxMessageChars,
  );
  const fields: ComposedIssue['fields'] = {
    project: { key: input.projectKey },
    issuetype: { name: issueTypeOf(kind, config) },
    summary: composeSummary(ticket),
    description,
    labels: composeLabels(ticket, kind, missing, config),
  };
  if (ticket.priority !== null) fields.priority = { name: config.priorityMap[ticket.priority] };
  return {
    fields,
    properties: [
      {
        key: PROPERTY_KEY,
        value: { vendor: ticket.vendor, connectionId: ticket.connectionId, ticketId: ticket.id, url: ticket.url },
      },
    ],
    sections,
    missing,
    truncated,
  };
}
