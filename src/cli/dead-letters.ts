import { hostname, userInfo } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import type { LoadedConfig } from '../config/load';
import { VENDORS, type Vendor } from '../domain/ticket';
import { openStore } from '../store/open-store';
import type { DeadLetter, DeadLetterFilter, DeadLetterHistoryEntry, DeadLetterWithHistory, InboxEvent, Store } from '../store/types';
import { formatDuration } from '../sync/jobs/decide';
import { openCliStore } from './job-store';
import { cliLogger } from './sync';

/**
 * `helpdesk-sync dead-letters list | show ID | replay [ID...|--all] | discard ID --reason "..."`,
 * and `replay` (the older spelling). An inbox event has one dead letter, whatever how often it
 * dies: replayed and dead again, it is the same id, with each death, replay and discard in its
 * history. Reads open the store alone; replay and discard write through the CLI store, which on
 * PostgreSQL also moves the event's pg-boss jobs (a new inbox job, the dead-queue copy gone).
 */

type Print = (line?: string) => void;

export interface DeadLetterCommandDeps {
  load: () => LoadedConfig;
  print: Print;
}

interface SelectOptions {
  vendor?: Vendor;
  connection?: string;
}

interface ListOptions extends SelectOptions {
  all?: boolean;
  includeReplayed?: boolean;
  json?: boolean;
}

function vendorOption(value: string): Vendor {
  if (!(VENDORS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${VENDORS.join(', ')}`);
  return value as Vendor;
}

function deadLetterId(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a dead-letter id (a positive whole number), not "${value}"`);
  return n;
}

function idList(value: string, previous: number[] = []): number[] {
  return [...previous, deadLetterId(value)];
}

/** Who replays or discards, for the history: the OS user at this host. */
export function operatorName(): string {
  let user = 'unknown';
  try {
    user = userInfo().username || user;
  } catch {
    // No passwd entry (some containers): the host alone says enough.
  }
  return `${user}@${hostname()}`;
}

/** A failure the command explains on stderr, with exit status 1; stdout stays empty of it. */
function fail(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function stateWords(d: DeadLetter): string {
  if (d.state === 'discarded') return `discarded ${iso(d.discardedAt)}${d.discardedBy ? ` by ${d.discardedBy}` : ''}: ${d.discardReason ?? ''}`;
  if (d.state === 'replayed') return `replayed ${iso(d.replayedAt)}, not dead since`;
  return 'open';
}

/** One line per dead letter (the first columns as they always were, for people who grep them). */
export function deadLetterLine(d: DeadLetter): string {
  const times = d.deaths > 1 ? `, died ${d.deaths} times` : '';
  const state = d.state === 'open' ? '' : `  [${stateWords(d)}]`;
  return `#${d.id} ${d.deadAt.toISOString()} ${d.vendor}/${d.connectionId} ${d.entityKey} ${d.eventType} after ${d.attempts} attempt(s)${times}: ${d.error}${state}`;
}

export function deadLetterLines(letters: readonly DeadLetter[], withClosed: boolean): string[] {
  if (!letters.length) return [withClosed ? 'No dead letters.' : 'No dead letters (none open; `dead-letters list --all` shows replayed and discarded ones).'];
  const open = letters.filter((d) => d.state === 'open').length;
  return [
    ...letters.map(deadLetterLine),
    '',
    `${open} open dead letter(s)${withClosed ? `, ${letters.length - open} replayed or discarded` : ''}. ` +
      '`dead-letters show ID` shows one; `dead-letters replay ID...|--all` requeues; `dead-letters discard ID --reason "..."` gives one up.',
  ];
}

function filterOf(opts: SelectOptions & { all?: boolean; includeReplayed?: boolean }): DeadLetterFilter {
  const closed = !!(opts.all || opts.includeReplayed);
  return { vendor: opts.vendor, connectionId: opts.connection, includeReplayed: closed, includeDiscarded: closed };
}

async function withReadStore<T>(deps: DeadLetterCommandDeps, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(deps.load().config.database.url);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function listCommand(deps: DeadLetterCommandDeps, opts: ListOptions): Promise<void> {
  await withReadStore(deps, async (store) => {
    const filter = filterOf(opts);
    const letters = await store.listDeadLetters(filter);
    if (opts.json) return deps.print(JSON.stringify(letters, null, 2));
    deadLetterLines(letters, !!filter.includeReplayed).forEach((l) => deps.print(l));
  });
}

/** Header names that could carry a credential: never printed, whatever a vendor sends. */
const SECRET_HEADER = /authorization|signature|secret|token|password|cookie|api[-_]?key|credential/i;

export function safeHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? '[redacted]' : v]));
}

/** Fields worth naming in a payload summary, where the vendors put them (webhooks, polls, the jobs' own events). */
const SUMMARY_PATHS = [
  'type',
  'event',
  'webhookEvent',
  'ticket_id',
  'subject',
  'status',
  'detail.id',
  'detail.subject',
  'detail.status',
  'detail.updated_at',
  'event.comment.id',
  'freshdesk_webhook.ticket_id',
  'freshdesk_webhook.ticket_subject',
  'issue.key',
  'issue.fields.summary',
  'issue.fields.status.name',
  'comment.id',
  'updated_at',
  'time',
  'poll.key',
  'poll.updatedAt',
  'poll.verdict',
  'backfill.key',
  'backfill.updatedAt',
  'backfill.verdict',
  'reconcile.issueKey',
  'sla',
  'sweep',
] as const;

export interface PayloadSummary {
  bytes: number;
  keys: string[];
  fields: Record<string, string | number | boolean>;
}

function at(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.split('.')) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** What a payload is about, without printing it whole (comments and descriptions hold customers' words). */
export function summarizePayload(payload: unknown): PayloadSummary {
  const text = JSON.stringify(payload) ?? 'null';
  const fields: PayloadSummary['fields'] = {};
  for (const path of SUMMARY_PATHS) {
    const v = at(payload, path);
    if (typeof v === 'string') fields[path] = v.length > 80 ? `${v.slice(0, 77)}...` : v;
    else if (typeof v === 'number' || typeof v === 'boolean') fields[path] = v;
  }
  const keys = payload && typeof payload === 'object' && !Array.isArray(payload) ? Object.keys(payload) : [];
  return { bytes: Buffer.byteLength(text), keys, fields };
}

function sizeText(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

function historyLine(h: DeadLetterHistoryEntry): string {
  const when = h.at.toISOString();
  if (h.action === 'dead') return `  ${when}  died       after ${h.attempts ?? '?'} attempt(s)${h.by ? ` in ${h.by}` : ''}: ${h.error ?? ''}`;
  if (h.action === 'replayed') return `  ${when}  replayed${h.by ? `   by ${h.by}` : ''}`;
  return `  ${when}  discarded${h.by ? `  by ${h.by}` : ''}: ${h.reason ?? ''}`;
}

export function showLines(letter: DeadLetterWithHistory, event: InboxEvent | null, now: Date): string[] {
  const state =
    letter.state === 'open'
      ? 'open: dead, waiting for a replay or a discard'
      : letter.state === 'replayed'
        ? `replayed ${letter.replayedAt?.toISOString()} (${formatDuration(now.getTime() - (letter.replayedAt?.getTime() ?? now.getTime()))} ago) and not dead since`
        : `discarded ${letter.discardedAt?.toISOString()}${letter.discardedBy ? ` by ${letter.discardedBy}` : ''}: ${letter.discardReason ?? ''}`;
  const lines = [`Dead letter #${letter.id}: ${state}`];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(12)} ${value}`);
  row('Event', `#${letter.eventId} ${letter.vendor}/${letter.connectionId} ${letter.entityKey} ${letter.eventType}`);
  if (event) {
    row('Source', `${event.source}, received ${event.receivedAt.toISOString()}`);
    row('Inbox', `${event.status}${event.status === 'pending' ? `, runnable from ${event.nextAttemptAt.toISOString()}` : ''}${event.attempts !== letter.attempts ? `, ${event.attempts} attempt(s) so far` : ''}`);
  } else row('Inbox', 'the event is not in the inbox (this should not happen: dead letters keep their event)');
  row('Died', `${letter.deadAt.toISOString()} after ${letter.attempts} attempt(s)${letter.deaths > 1 ? `; died ${letter.deaths} times in all` : ''}`);
  row('Last error', letter.error);
  if (event) {
    const headers = Object.entries(safeHeaders(event.headers));
    row('Headers', headers.length ? headers.map(([k, v]) => `${k}: ${v}`).join(', ') : '(none kept)');
    const p = summarizePayload(event.payload);
    const fields = Object.entries(p.fields).map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
    row('Payload', `${sizeText(p.bytes)} of JSON${fields.length ? `; ${fields.join(', ')}` : p.keys.length ? `; keys ${p.keys.join(', ')}` : ''}`);
  }
  lines.push('', `History (${letter.history.length}):`);
  if (!letter.history.length) lines.push('  none recorded (dead before history was kept)');
  for (const h of letter.history) lines.push(historyLine(h));
  lines.push('');
  if (letter.state === 'open') lines.push(`Next: \`dead-letters replay ${letter.id}\` requeues it; \`dead-letters discard ${letter.id} --reason "..."\` gives it up.`);
  else if (letter.state === 'discarded') lines.push(`\`dead-letters replay ${letter.id}\` brings it back to the inbox.`);
  return lines;
}

export function showJson(letter: DeadLetterWithHistory, event: InboxEvent | null, withPayload: boolean) {
  return {
    ...letter,
    event: event && {
      id: event.id,
      vendor: event.vendor,
      connectionId: event.connectionId,
      entityKey: event.entityKey,
      eventType: event.eventType,
      source: event.source,
      status: event.status,
      receivedAt: event.receivedAt,
      attempts: event.attempts,
      lastError: event.lastError,
      headers: safeHeaders(event.headers),
      payloadSummary: summarizePayload(event.payload),
      ...(withPayload ? { payload: event.payload } : {}),
    },
  };
}

async function showCommand(deps: DeadLetterCommandDeps, id: number, opts: { json?: boolean; payload?: boolean }): Promise<void> {
  await withReadStore(deps, async (store) => {
    const letter = await store.getDeadLetter(id);
    if (!letter) return fail(`No dead letter #${id}. \`dead-letters list --all\` lists every one.`);
    const event = await store.getEvent(letter.eventId);
    if (opts.json) return deps.print(JSON.stringify(showJson(letter, event, !!opts.payload), null, 2));
    showLines(letter, event, new Date()).forEach((l) => deps.print(l));
    if (opts.payload && event) {
      deps.print('');
      deps.print('Payload:');
      deps.print(JSON.stringify(event.payload, null, 2));
    }
  });
}

/**
 * Requeues the given dead letters, or every open one matching --vendor/--connection. Named ids
 * are checked first: an unknown one fails the command (nothing requeued); a replayed one that
 * has not died again is skipped, saying so; a discarded one comes back.
 */
export async function replayCommand(deps: DeadLetterCommandDeps, opts: SelectOptions & { ids?: number[] }): Promise<void> {
  const loaded = deps.load();
  const { store, close } = await openCliStore(loaded, cliLogger(loaded));
  try {
    const by = operatorName();
    const now = new Date();
    if (!opts.ids?.length) {
      const count = await store.replayDeadLetters({ filter: { vendor: opts.vendor, connectionId: opts.connection }, by }, now);
      deps.print(count === 0 ? 'Nothing to replay: no open dead letters match.' : `Requeued ${count} dead letter(s); a running server processes them now.`);
      return;
    }
    const ids = [...new Set(opts.ids)];
    const letters = await Promise.all(ids.map(async (id) => [id, await store.getDeadLetter(id)] as const));
    const missing = letters.filter(([, l]) => !l).map(([id]) => `#${id}`);
    if (missing.length) return fail(`No dead letter ${missing.join(', ')}; nothing requeued. \`dead-letters list --all\` lists every one.`);
    const wanted: number[] = [];
    for (const [id, l] of letters) {
      if (l?.state === 'replayed') deps.print(`#${id} was replayed ${l.replayedAt?.toISOString()} and has not died since: skipped.`);
      else if (opts.vendor && l?.vendor !== opts.vendor) deps.print(`#${id} is a ${l?.vendor} event, not ${opts.vendor}: skipped.`);
      else if (opts.connection && l?.connectionId !== opts.connection) deps.print(`#${id} is of connection ${l?.connectionId}, not ${opts.connection}: skipped.`);
      else wanted.push(id);
    }
    const count = wanted.length ? await store.replayDeadLetters({ ids: wanted, by }, now) : 0;
    deps.print(count === 0 ? 'Nothing to replay.' : `Requeued ${count} dead letter(s) (${wanted.map((id) => `#${id}`).join(', ')}); a running server processes them now.`);
  } finally {
    await close();
  }
}

async function discardCommand(deps: DeadLetterCommandDeps, id: number, opts: { reason: string }): Promise<void> {
  const reason = opts.reason.trim();
  if (!reason) throw new InvalidArgumentError('--reason: say why the dead letter is given up (it is kept in its history)');
  const loaded = deps.load();
  const { store, close } = await openCliStore(loaded, cliLogger(loaded));
  try {
    const by = operatorName();
    const outcome = await store.discardDeadLetter(id, reason, by, new Date());
    const letter = await store.getDeadLetter(id);
    if (outcome === 'not-found' || !letter) return fail(`No dead letter #${id}. \`dead-letters list --all\` lists every one.`);
    if (outcome === 'not-dead') {
      return fail(`Dead letter #${id} was replayed ${letter.replayedAt?.toISOString()} and its event is back in the inbox (not dead): nothing to discard.`);
    }
    if (outcome === 'already-discarded') {
      deps.print(`Dead letter #${id} was already discarded ${letter.discardedAt?.toISOString()} by ${letter.discardedBy ?? 'someone'}: ${letter.discardReason ?? ''}. Nothing changed.`);
      return;
    }
    deps.print(`Discarded dead letter #${id} (${letter.vendor}/${letter.connectionId} ${letter.entityKey} ${letter.eventType}) as ${by}: ${reason}`);
    deps.print(`Its event #${letter.eventId} stays in the inbox, dead; \`dead-letters replay ${id}\` would bring it back.`);
  } finally {
    await close();
  }
}

export function registerDeadLetterCommands(program: Command, deps: DeadLetterCommandDeps): void {
  program
    .command('replay')
    .description('requeue dead-lettered events (all open ones, or those selected); --list lists them instead')
    .option('--vendor <vendor>', 'only this vendor', vendorOption)
    .option('--connection <id>', 'only this connection')
    .option('--id <deadLetterId>', 'only this dead letter (repeatable)', idList)
    .option('--list', 'list the dead letters instead of requeueing them')
    .option('--all', 'with --list: replayed and discarded ones too')
    .option('--json', 'with --list: print JSON')
    .action(async (opts: SelectOptions & { id?: number[]; list?: boolean; all?: boolean; json?: boolean }) => {
      if (opts.list) return listCommand(deps, opts);
      if (opts.json || opts.all) throw new InvalidArgumentError('--json and --all go with --list (replay without ids requeues every open dead letter)');
      return replayCommand(deps, { ...opts, ids: opts.id });
    });
  const dead = program
    .command('dead-letters')
    .description('events that gave up: list, show, requeue or discard them (`replay` is the same as `dead-letters replay`)');
  dead
    .command('list')
    .description('the open dead letters (--all: replayed and discarded ones too)')
    .option('--vendor <vendor>', 'only this vendor', vendorOption)
    .option('--connection <id>', 'only this connection')
    .option('--all', 'replayed and discarded ones too')
    .option('--include-replayed', 'the same as --all')
    .option('--json', 'print JSON')
    .action((opts: ListOptions) => listCommand(deps, opts));
  dead
    .command('show')
    .description('one dead letter: its event, last error, headers, a payload summary and its history')
    .argument('<id>', 'dead-letter id', deadLetterId)
    .option('--payload', 'the whole payload too')
    .option('--json', 'print JSON')
    .action((id: number, opts: { json?: boolean; payload?: boolean }) => showCommand(deps, id, opts));
  dead
    .command('replay')
    .description('requeue the given dead letters, or --all open ones (narrowed by --vendor/--connection)')
    .argument('[ids...]', 'dead-letter ids')
    .option('--all', 'every open dead letter matching --vendor/--connection')
    .option('--vendor <vendor>', 'only this vendor', vendorOption)
    .option('--connection <id>', 'only this connection')
    .action(async (ids: string[], opts: SelectOptions & { all?: boolean }) => {
      const parsed = ids.reduce<number[]>((acc, v) => idList(v, acc), []);
      if (!parsed.length && !opts.all) throw new InvalidArgumentError('give dead-letter ids, or --all');
      if (parsed.length && opts.all) throw new InvalidArgumentError('give dead-letter ids or --all, not both');
      await replayCommand(deps, { ...opts, ids: parsed.length ? parsed : undefined });
    });
  dead
    .command('discard')
    .description('give up one dead letter, saying why: its event stays in the inbox (dead), it leaves the list and --all replays')
    .argument('<id>', 'dead-letter id', deadLetterId)
    .requiredOption('--reason <text>', 'why (kept in its history with who and when)')
    .action((id: number, opts: { reason: string }) => discardCommand(deps, id, opts));
}
