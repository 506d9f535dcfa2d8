import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { configSchema } from '../../src/config/schema';
import { RULE_IDS } from '../../src/domain/rules';
import { createLogger } from '../../src/logging/logger';
import { SEEDED_TICKET_IDS } from '../../src/sandbox/freshdesk';
import { startSandboxes, type Sandboxes } from '../../src/sandbox/world';
import { SEEDED_TICKETS } from '../../src/sandbox/zendesk';
import { startService, type RunningService } from '../../src/server';

/**
 * The README's commands, run as a reader runs them: against the vendor sandboxes (what
 * `npm run sandbox` starts) and a helpdesk-sync pointed at them with the environment the
 * sandbox prints. A README example that names a ticket the sandboxes do not have, an option the
 * CLI does not take, or that answers an error, fails here, so the examples cannot rot.
 *
 * What counts as an example: every line of a fenced `sh` (or unlabelled) block, and every
 * inline code span, that starts with `helpdesk-sync`, `npm`, `curl` or `docker run`. Each is
 * checked (the command exists, each option exists, each value is one of its choices, an npm
 * script exists); the ones in RUNNABLE below, written out in full, are also run. Optional parts
 * (`[--json]`) are checked but left out of the run; `<placeholders>` and `...` make an example
 * a mention, checked but not run.
 */

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
const README_PATH = path.join(ROOT, 'README.md');
const README = readFileSync(README_PATH, 'utf8');
const SCRIPTS = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const AUDIT_TOKEN = 'readme-examples-audit-token';

// ---------------------------------------------------------------------------------------------
// Reading the README

export interface Example {
  /** 1-based line of README.md where the example starts. */
  line: number;
  /** As written, comments left out. */
  text: string;
  /** The shell words. */
  words: string[];
  /** Written in a fenced block (true) or inline (false). */
  fenced: boolean;
}

const COMMAND_START = /^(helpdesk-sync(\s|$)|npm\s|curl\s|docker\s+run\s)/;

/** Shell words of one command: quotes removed, nothing expanded. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else word += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += ch;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}

/** The text before a shell comment (`#` at the start of a word, outside quotes). */
export function withoutComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1] as string))) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}

function splitCommands(text: string): string[] {
  return text
    .split(/\s&&\s/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function examplesOf(line: number, text: string, fenced: boolean): Example[] {
  return splitCommands(text)
    .filter((t) => COMMAND_START.test(t))
    .map((t) => ({ line, text: t, words: shellWords(t), fenced }));
}

/** Every example of a README text, in order. */
export function readmeExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const out: Example[] = [];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i] as string;
    const open = /^```\s*([\w-]*)/.exec(raw);
    if (open) {
      fence = fence === null ? (open[1] ?? '') : null;
      continue;
    }
    if (fence !== null) {
      if (!['', 'sh', 'bash', 'shell', 'console'].includes(fence)) continue;
      let text = withoutComment(raw.replace(/^\s*\$\s+/, '').trim());
      if (!COMMAND_START.test(text)) continue;
      const start = i + 1;
      // Continuation lines: a trailing backslash, or an indented line of further [options].
      for (;;) {
        const next = lines[i + 1];
        if (next === undefined || /^```/.test(next)) break;
        if (text.endsWith('\\')) text = `${text.slice(0, -1).trimEnd()} ${withoutComment(next.trim())}`;
        else if (/^\s+[[-]/.test(next)) text = `${text} ${withoutComment(next.trim())}`;
        else break;
        i += 1;
      }
      out.push(...examplesOf(start, text, true));
      continue;
    }
    for (const m of raw.matchAll(/`([^`]+)`/g)) out.push(...examplesOf(i + 1, (m[1] as string).trim(), false));
  }
  return out;
}

/** The words with optional `[...]` groups left out, for running. */
export function required(words: string[]): string[] {
  const out: string[] = [];
  let depth = 0;
  for (const w of words) {
    const opens = (w.match(/\[/g) ?? []).length;
    const closes = (w.match(/\]/g) ?? []).length;
    if (depth === 0 && opens === 0) out.push(w);
    depth += opens - closes;
  }
  return out;
}

/** Every `--option` named, with the value written after it (if any), optional ones included. */
export function optionsNamed(words: string[]): Array<{ name: string; value: string | null }> {
  const bare = words.map((w) => w.replace(/[[\]]/g, ''));
  const out: Array<{ name: string; value: string | null }> = [];
  bare.forEach((w, i) => {
    for (const part of w.split('|')) {
      const m = /^(--?[A-Za-z][\w-]*)(?:=(.*))?$/.exec(part);
      if (!m) continue;
      const next = bare[i + 1];
      const value = m[2] ?? (w.includes('|') || next === undefined || next.startsWith('-') ? null : next);
      out.push({ name: m[1] as string, value });
    }
  });
  return out;
}

/** A word that stands for a value the reader fills in. */
const isPlaceholder = (w: string): boolean => /^<.*>$/.test(w) || w.includes('...') || /^[A-Z][A-Z_]*$/.test(w);

export interface CliExample {
  example: Example;
  /** The helpdesk-sync arguments, as written. */
  args: string[];
}

/** The helpdesk-sync command an example runs, if it runs one: direct, through npm, or in the image. */
export function cliArgs(words: string[]): string[] | null {
  const [first, second] = words;
  if (first === 'helpdesk-sync') return words.slice(1);
  if (first === 'npm') {
    const rest = words.slice(1).filter((w) => w !== '-s' && w !== '--silent');
    if (rest[0] !== 'run') return null;
    const script = SCRIPTS[rest[1] ?? ''];
    const cli = script ? /^tsx src\/cli\/main\.ts\s*(.*)$/.exec(script) : null;
    if (!cli) return null;
    const dash = rest.indexOf('--');
    return [...shellWords(cli[1] as string), ...(dash >= 0 ? rest.slice(dash + 1) : [])];
  }
  if (first === 'docker' && second === 'run') {
    const image = words.map((w, i) => (/^helpdesk-sync(:[\w.-]+)?$/.test(w) ? i : -1)).filter((i) => i > 1).pop();
    return image === undefined ? null : words.slice(image + 1);
  }
  return null;
}

const EXAMPLES = readmeExamples(README);
const CLI_EXAMPLES: CliExample[] = EXAMPLES.flatMap((example) => {
  const args = cliArgs(example.words);
  return args ? [{ example, args }] : [];
});

const where = (e: Example) => `README.md:${e.line} \`${e.text}\``;

/** it.each over the README's examples of one kind; a README without any of that kind has nothing to check. */
function eachExample<T>(cases: Array<readonly [string, T]>, title: string, fn: (where: string, item: T) => unknown, timeout?: number): void {
  if (cases.length === 0) it(`${title.replace('%s', 'README.md')}: the README has no such example`, () => undefined);
  else it.each(cases)(title, fn as (where: string, item: T) => Promise<void>, timeout);
}

// ---------------------------------------------------------------------------------------------
// The CLI, as a reader runs it

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

interface CommandHelp {
  options: Map<string, string[] | null>;
  commands: Set<string>;
}

/** Options (with their choices) and subcommands, from `helpdesk-sync <path> --help`. */
export function parseHelp(text: string): CommandHelp {
  const options = new Map<string, string[] | null>();
  const commands = new Set<string>();
  let section: 'options' | 'commands' | null = null;
  let current: string[] = [];
  let entry = '';
  const flush = () => {
    if (section === 'options' && current.length) {
      const choices = /choices: ([^)]*?)(?:, default:|\))/.exec(entry.replace(/\s+/g, ' '));
      const list = choices ? [...(choices[1] as string).matchAll(/"([^"]*)"/g)].map((m) => m[1] as string) : null;
      for (const name of current) options.set(name, list);
    }
    current = [];
    entry = '';
  };
  for (const line of text.split('\n')) {
    if (/^Options:/.test(line)) {
      flush();
      section = 'options';
      continue;
    }
    if (/^Commands:/.test(line)) {
      flush();
      section = 'commands';
      continue;
    }
    if (/^\S/.test(line)) {
      flush();
      section = null;
      continue;
    }
    if (section === 'options') {
      const m = /^ {2}((?:-[\w-]+(?:, )?)+)(?: <[^>]+>| \[[^\]]+\])?(?:\s|$)/.exec(line);
      if (m) {
        flush();
        current = (m[1] as string).split(', ').map((s) => s.trim());
      }
      entry += ` ${line}`;
    } else if (section === 'commands') {
      const m = /^ {2}([a-z][\w-]*)/.exec(line);
      if (m) commands.add(m[1] as string);
    }
  }
  flush();
  return { options, commands };
}

const helpCache = new Map<string, Promise<CommandHelp>>();

function helpOf(commandPath: string[]): Promise<CommandHelp> {
  const key = commandPath.join(' ');
  let help = helpCache.get(key);
  if (!help) {
    help = runCli([...commandPath, '--help'], { LOG_LEVEL: 'error' }).then((r) => {
      if (r.status !== 0) throw new Error(`helpdesk-sync ${key} --help exited ${r.status}: ${r.stderr}`);
      return parseHelp(r.stdout);
    });
    helpCache.set(key, help);
  }
  return help;
}

/** The command path of some arguments (`sync run`, `audit`, or none for `--version`), and its help. */
async function commandOf(args: string[]): Promise<{ path: string[]; help: CommandHelp }> {
  const commandPath: string[] = [];
  let help = await helpOf([]);
  for (const w of args.map((a) => a.replace(/[[\]]/g, ''))) {
    if (!help.commands.has(w)) break;
    commandPath.push(w);
    help = await helpOf(commandPath);
  }
  return { path: commandPath, help };
}

// ---------------------------------------------------------------------------------------------
// Which examples run, and what a good answer is

interface Runnable {
  /** Options a complete example has; without them the README only mentions the command. */
  needs?: string[];
  /** What the output must say, beyond exit status 0. */
  expect?: (run: Run, args: string[]) => void;
}

const namesTheTicket = (run: Run, args: string[]) => {
  const ticket = args[args.indexOf('--ticket') + 1];
  expect(run.stdout).toContain(`ticket ${ticket}`);
};

/** The commands that read the sandboxes or the store: run as written, each must exit 0. */
const RUNNABLE: Record<string, Runnable> = {
  '': { needs: ['--version'] },
  preview: { needs: ['--vendor', '--ticket'], expect: namesTheTicket },
  explain: { needs: ['--vendor', '--ticket'], expect: namesTheTicket },
  audit: {},
  'knowledge-gaps': {},
  status: {},
  'check-config': {},
  sweep: {},
  'sync status': {},
  'sync run': { needs: ['--job'] },
  'dead-letters list': {},
};

/** The RUNNABLE entry an example is, if it is complete: `sync run --job poll` is, `explain` alone is a mention. */
function runnable(cli: CliExample): Runnable | null {
  const [a, b] = cli.args;
  const key = a === undefined || a.startsWith('-') ? '' : `${a} ${b}` in RUNNABLE ? `${a} ${b}` : a;
  const spec = RUNNABLE[key];
  if (!spec) return null;
  const words = required(cli.args);
  if (words.some(isPlaceholder)) return null;
  if (cli.example.words[0] === 'docker') return null;
  if ((spec.needs ?? []).some((n) => !words.includes(n))) return null;
  return spec;
}

/** The tickets the sandboxes are seeded with, per helpdesk. */
const SEEDED: Record<string, readonly number[]> = {
  zendesk: Object.values(SEEDED_TICKETS),
  freshdesk: SEEDED_TICKET_IDS,
};

function ticketsNamed(args: string[]): Array<{ vendor: string; ticket: string }> {
  const at = (name: string) => {
    const i = args.findIndex((a) => a.replace(/[[\]]/g, '') === name);
    return i >= 0 ? (args[i + 1] ?? '').replace(/[[\]]/g, '') : null;
  };
  const vendor = at('--vendor');
  const ticket = at('--ticket');
  return vendor && ticket && !isPlaceholder(ticket) ? [{ vendor, ticket }] : [];
}

// ---------------------------------------------------------------------------------------------
// The world the examples run in

let sandboxes: Sandboxes;
let service: RunningService;
let env: Record<string, string>;
/** The answer of each distinct runnable command line, run once however often the README shows it. */
const runs = new Map<string, Run>();
const RUNNABLE_EXAMPLES = CLI_EXAMPLES.flatMap((c) => {
  const spec = runnable(c);
  return spec ? [{ cli: c, spec, args: required(c.args) }] : [];
});

async function inPool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: size }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

/** Every `--help` the checks read, fetched ahead, a few at a time. */
async function warmHelp(): Promise<void> {
  const root = await helpOf([]);
  const firsts = [...new Set(CLI_EXAMPLES.map((c) => c.args[0] ?? '').filter((w) => root.commands.has(w)))];
  await inPool(firsts, 4, async (w) => void (await helpOf([w])));
  const seconds = new Map<string, string[]>();
  for (const c of CLI_EXAMPLES) {
    const [a, b] = c.args;
    if (a && b && firsts.includes(a) && (await helpOf([a])).commands.has(b)) seconds.set(`${a} ${b}`, [a, b]);
  }
  await inPool([...seconds.values()], 4, async (p) => void (await helpOf(p)));
}

/** The runnable examples, each distinct one once: the jobs in the README's order, then the rest side by side. */
async function runExamples(): Promise<void> {
  const distinct = [...new Map(RUNNABLE_EXAMPLES.map((r) => [r.args.join(' '), r.args])).values()];
  const jobs = distinct.filter((a) => a[0] === 'sync' && a[1] === 'run');
  for (const args of jobs) {
    runs.set(args.join(' '), await runCli(args, env));
    await settled();
  }
  await inPool(distinct.filter((a) => !jobs.includes(a)), 3, async (args) => void runs.set(args.join(' '), await runCli(args, env)));
  await settled();
}

async function settled(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let quiet = 0; quiet < 3; ) {
    if (Date.now() > deadline) throw new Error('the inbox did not drain');
    await sandboxes.webhooksIdle();
    const c = await service.store.inboxCounts();
    quiet = c.pending === 0 && c.processing === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ticketExists(vendor: string, ticket: string): Promise<boolean> {
  if (vendor === 'zendesk') {
    const auth = Buffer.from(`${env.ZENDESK_EMAIL}/token:${env.ZENDESK_API_TOKEN}`).toString('base64');
    return (await fetch(`${env.ZENDESK_URL}/api/v2/tickets/${ticket}.json`, { headers: { authorization: `Basic ${auth}` } })).status === 200;
  }
  if (vendor === 'freshdesk') {
    const auth = Buffer.from(`${env.FRESHDESK_API_KEY}:X`).toString('base64');
    return (await fetch(`${env.FRESHDESK_URL}/api/v2/tickets/${ticket}`, { headers: { authorization: `Basic ${auth}` } })).status === 200;
  }
  return false;
}

beforeAll(async () => {
  const help = warmHelp();
  sandboxes = await startSandboxes({ webhookRetryDelayMs: 20 });
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-readme-'));
  const configFile = path.join(dir, 'readme.yaml');
  // A quick worker, and no scheduled jobs of its own: the examples run the jobs themselves.
  writeFileSync(configFile, 'worker:\n  pollIntervalMs: 50\nschedules:\n  consultSweep: "0 0 1 1 *"\n  poll: "0 0 1 1 *"\n  reconcile: "0 0 1 1 *"\n  sla: "0 0 1 1 *"\n');
  env = { ...sandboxes.env, DATABASE_URL: path.join(dir, 'helpdesk-sync.db'), CONFIG_FILE: configFile, AUDIT_TOKEN, LOG_LEVEL: 'error' };
  const loaded = loadConfig({ env: { ...env, PORT: '0', LOG_LEVEL: 'silent' } });
  service = await startService(loaded, { logger: createLogger({ level: 'silent' }), host: '127.0.0.1' });
  sandboxes.connect(service.url);
  // What a reader's helpdesk-sync has done by the time they try `explain`: read the tickets the
  // sandboxes hold (the server's first poll and a backfill do that).
  const since = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  const backfill = await runCli(['sync', 'run', '--job', 'backfill', '--since', since], env);
  if (backfill.status !== 0) throw new Error(`backfill failed: ${backfill.stdout}${backfill.stderr}`);
  await settled();
  await help;
  await runExamples();
}, 240_000);

afterAll(async () => {
  sandboxes?.connect(null);
  await service?.stop();
  await sandboxes?.close();
});

// ---------------------------------------------------------------------------------------------

describe('reading the README', () => {
  it('finds its examples', () => {
    expect(shellWords(`curl -H "Authorization: Bearer $AUDIT_TOKEN" 'localhost:3000/x?a=1&b=2'`)).toEqual(['curl', '-H', 'Authorization: Bearer $AUDIT_TOKEN', 'localhost:3000/x?a=1&b=2']);
    expect(withoutComment('helpdesk-sync sweep   # the jobs, once')).toBe('helpdesk-sync sweep');
    expect(required(['audit', '[--format', 'table|json|csv]', '--problems'])).toEqual(['audit', '--problems']);
    expect(optionsNamed(['replay', '[ID...|--all]', '[--vendor', 'zendesk]'])).toEqual([
      { name: '--all', value: null },
      { name: '--vendor', value: 'zendesk' },
    ]);
    const sample = ['```sh', 'npm ci && npm test   # all', 'helpdesk-sync audit [--problems]', '          [--vendor V]', '```', 'Run `helpdesk-sync sweep` now.'].join('\n');
    expect(readmeExamples(sample).map((e) => [e.line, e.text])).toEqual([
      [2, 'npm ci'],
      [2, 'npm test'],
      [3, 'helpdesk-sync audit [--problems] [--vendor V]'],
      [6, 'helpdesk-sync sweep'],
    ]);
    expect(cliArgs(['npm', 'run', 'cli', '--', 'preview', '--vendor', 'zendesk'])).toEqual(['preview', '--vendor', 'zendesk']);
    expect(cliArgs(['npm', 'run', 'demo', '--', '--once'])).toEqual(['demo', '--once']);
    expect(cliArgs(['docker', 'run', '-d', '--name', 'helpdesk-sync', '--env-file', '.env', 'helpdesk-sync'])).toEqual([]);
    // The README has examples of each kind this test checks.
    expect(CLI_EXAMPLES.length).toBeGreaterThan(20);
    expect(CLI_EXAMPLES.some((c) => c.args[0] === 'preview')).toBe(true);
  });

  it('links only files the repository has', () => {
    const targets = [...README.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string).filter((t) => !/^[a-z]+:/.test(t) && !t.startsWith('#'));
    const missing = targets.filter((t) => !existsSync(path.resolve(ROOT, t.split('#')[0] as string)) || path.relative(ROOT, path.resolve(ROOT, t)).startsWith('..'));
    expect(missing).toEqual([]);
  });
});

describe('the README\'s examples against the sandboxes', () => {
  eachExample(EXAMPLES.filter((e) => e.words[0] === 'npm').map((e) => [where(e), e] as const), '%s names an npm script of package.json', (_where, e) => {
    const rest = e.words.slice(1).filter((w) => w !== '-s' && w !== '--silent');
    const builtIn = ['ci', 'install', 'test', 'start'];
    if (builtIn.includes(rest[0] ?? '')) return;
    expect(rest[0]).toBe('run');
    if (isPlaceholder(rest[1] ?? '')) return;
    expect(Object.keys(SCRIPTS)).toContain(rest[1]);
  });

  it.each(CLI_EXAMPLES.map((c) => [where(c.example), c] as const))('%s: the CLI has the command, its options and their values', async (_where, cli) => {
    const { path: commandPath, help } = await commandOf(cli.args);
    const next = cli.args[commandPath.length]?.replace(/[[\]]/g, '');
    // `npm run cli -- <command>`: a mention of every command.
    if (next !== undefined && isPlaceholder(next)) return;
    // A word after the command that is neither an option nor a value is a subcommand the CLI lacks...
    if (next !== undefined && !next.startsWith('-') && help.commands.size > 0) {
      throw new Error(`${where(cli.example)}: helpdesk-sync ${commandPath.join(' ')} has no command "${next}" (it has ${[...help.commands].join(', ')})`);
    }
    // ... and a command with subcommands named alone is a mention of them (`dead-letters`).
    for (const { name, value } of optionsNamed(cli.args.slice(commandPath.length))) {
      if (!help.options.has(name)) throw new Error(`${where(cli.example)}: helpdesk-sync ${commandPath.join(' ')} has no option ${name}`);
      const choices = help.options.get(name);
      if (!choices || value === null || isPlaceholder(value)) continue;
      for (const v of value.split('|')) expect({ option: name, value: v, allowed: choices.includes(v) }).toEqual({ option: name, value: v, allowed: true });
    }
  }, 60_000);

  const withTickets = CLI_EXAMPLES.flatMap((c) => ticketsNamed(c.args).map((t) => [where(c.example), t] as const));

  it('has examples that name tickets', () => {
    expect(withTickets.length).toBeGreaterThan(0);
  });

  eachExample(withTickets, '%s names a ticket the sandboxes have', async (_where, { vendor, ticket }) => {
    const exists = await ticketExists(vendor, ticket);
    expect({ vendor, ticket, exists, seeded: SEEDED[vendor] }).toEqual({ vendor, ticket, exists: true, seeded: SEEDED[vendor] });
  });

  it('runs the commands that read the sandboxes or the store', () => {
    const commands = new Set(RUNNABLE_EXAMPLES.map((r) => r.args[0]));
    for (const c of ['preview', 'explain', 'audit', 'sync']) expect(commands).toContain(c);
  });

  eachExample(RUNNABLE_EXAMPLES.map((r) => [where(r.cli.example), r] as const), '%s runs and exits 0', (_where, { spec, args }) => {
    const run = runs.get(args.join(' '));
    expect({ args, status: run?.status, stderr: run?.stderr.trim() }).toEqual({ args, status: 0, stderr: run?.stderr.trim() });
    spec.expect?.(run as Run, args);
  });

  const curls = EXAMPLES.filter((e) => e.words[0] === 'curl');

  eachExample(curls.map((e) => [where(e), e] as const), '%s answers 200', async (_where, e) => {
    const words = required(e.words.slice(1));
    const headers: Record<string, string> = {};
    let url: string | null = null;
    for (let i = 0; i < words.length; i += 1) {
      const w = words[i] as string;
      if (w === '-H' || w === '--header') {
        const [name, ...value] = (words[(i += 1)] ?? '').split(':');
        headers[(name as string).trim()] = value.join(':').trim().replace(/\$\{?AUDIT_TOKEN\}?/g, AUDIT_TOKEN);
      } else if (!w.startsWith('-')) url = w;
    }
    expect(url).toMatch(/^(http:\/\/)?localhost:3000\//);
    const target = (url as string).replace(/^(http:\/\/)?localhost:3000/, service.url);
    const res = await fetch(target, { headers });
    expect({ url, status: res.status }).toEqual({ url, status: 200 });
  });
});

// ---------------------------------------------------------------------------------------------
// docs/rules.md, which the README and the code point to for the rules

describe('docs/rules.md', () => {
  const RULES = readFileSync(path.join(ROOT, 'docs', 'rules.md'), 'utf8');

  it('has a section for every rule id', () => {
    const headed = [...RULES.matchAll(/^### ([A-Z]\d+) /gm)].map((m) => m[1]);
    expect(headed).toEqual([...RULE_IDS]);
  });

  /** The schema node at a dotted path (`<...>` segments stand for a key of a record), or null. */
  function schemaAt(keyPath: string): unknown {
    type Def = { type: string; shape?: Record<string, unknown>; innerType?: unknown; in?: unknown; valueType?: unknown; options?: unknown[]; element?: unknown };
    const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;
    const unwrap = (s: unknown): unknown[] => {
      const d = defOf(s);
      if (d.innerType && ['optional', 'default', 'prefault', 'nullable', 'nonoptional', 'readonly', 'catch'].includes(d.type)) return unwrap(d.innerType);
      if (d.type === 'pipe') return unwrap(d.in);
      if (d.type === 'union' || d.type === 'discriminatedUnion') return (d.options ?? []).flatMap(unwrap);
      if (d.type === 'array') return unwrap(d.element);
      return [s];
    };
    let nodes: unknown[] = [configSchema];
    for (const segment of keyPath.split('.')) {
      nodes = nodes.flatMap(unwrap).flatMap((n) => {
        const d = defOf(n);
        if (d.type === 'record') return [d.valueType];
        if (d.type === 'object' && d.shape && segment.startsWith('<')) return Object.values(d.shape);
        if (d.type === 'object' && d.shape && segment in d.shape) return [d.shape[segment]];
        return [];
      });
      if (!nodes.length) return null;
    }
    return nodes[0];
  }

  it('names configuration keys the schema has', () => {
    const roots = Object.keys((configSchema as unknown as { shape: Record<string, unknown> }).shape);
    const keys = [...RULES.matchAll(/`([a-zA-Z]+(?:\.(?:[a-zA-Z]+|<[^>]+>))+)[`:[ ]/g)]
      .map((m) => m[1] as string)
      .filter((k) => roots.includes(k.split('.')[0] as string) && !k.endsWith('.x'));
    expect(keys.length).toBeGreaterThan(50);
    expect(keys.filter((k) => schemaAt(k) === null)).toEqual([]);
  });
});
