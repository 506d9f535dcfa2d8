#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load';
import { VENDORS, type Vendor } from '../domain/ticket';
import { createLogger } from '../logging/logger';
import { loggerFor, SERVICE_ROLES, startService, type ServiceRole } from '../server';
import { openStore, StoreConfigError } from '../store/open-store';
import type { Store } from '../store/types';
import { openCliStore } from './job-store';
import { isVendorApiError } from '../vendors/core/errors';
import { registerSyncCommand } from './sync';
import { registerAuditCommand } from './audit';

/** User-facing output of the CLI (logs go through winston; this is what a person reads). */
const print = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function load(): LoadedConfig {
  return loadConfig();
}

function vendorOption(value: string): Vendor {
  if (!(VENDORS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${VENDORS.join(', ')}`);
  return value as Vendor;
}

function idList(value: string, previous: number[] = []): number[] {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a dead-letter id (a positive whole number)');
  return [...previous, n];
}

async function serve(options: { role: ServiceRole }): Promise<void> {
  const loaded = load();
  const logger = loggerFor(loaded);
  const service = await startService(loaded, { logger, role: options.role });
  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // Never crash on a stray rejection: log it; acknowledged events are already durable.
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: String(reason) }));
}

function checkConfig(): void {
  const loaded = load();
  print(`Configuration is valid (read ${loaded.sources.join(', ')}).`);
  print(`  port ${loaded.config.server.port}, database ${loaded.config.database.url}, log level ${loaded.config.log.level}`);
  for (const c of loaded.connections) {
    const state = !c.enabled
      ? `disabled (missing ${c.missing.join(', ')})`
      : c.webhookSecretMissing
        ? `API enabled; webhooks refused until ${c.webhookSecretMissing} is set`
        : `enabled; webhooks at ${c.webhookPath}`;
    print(`  ${c.vendor}/${c.id}: ${state}`);
  }
}

function cliQuietLogger(loaded: LoadedConfig) {
  // Logs go to stderr, and only warnings and errors unless asked.
  const level = loaded.config.log.level;
  return createLogger({ level: ['silent', 'error', 'debug', 'verbose'].includes(level) ? level : 'warn', format: loaded.config.log.format, stream: process.stderr });
}

interface DeadLetterOptions {
  vendor?: Vendor;
  connection?: string;
  id?: number[];
  all?: boolean;
}

function printDeadLetters(letters: Awaited<ReturnType<Store['listDeadLetters']>>): void {
  if (!letters.length) print('No dead letters.');
  for (const d of letters) {
    print(`#${d.id} ${d.deadAt.toISOString()} ${d.vendor}/${d.connectionId} ${d.entityKey} ${d.eventType} after ${d.attempts} attempt(s): ${d.error}`);
  }
}

async function listDeadLetters(opts: DeadLetterOptions): Promise<void> {
  const loaded = load();
  const store = openStore(loaded.config.database.url);
  try {
    printDeadLetters(await store.listDeadLetters({ vendor: opts.vendor, connectionId: opts.connection }));
  } finally {
    await store.close();
  }
}

/**
 * Requeues dead letters: the given ids, or every one matching --vendor/--connection. On
 * PostgreSQL the store's replay transaction also sends each event's new pg-boss job.
 */
async function replayDeadLetters(opts: DeadLetterOptions): Promise<void> {
  const loaded = load();
  const { store, close } = await openCliStore(loaded, cliQuietLogger(loaded));
  try {
    const filter = { vendor: opts.vendor, connectionId: opts.connection };
    const count = await store.replayDeadLetters(opts.id?.length ? { ids: opts.id } : { filter }, new Date());
    print(count === 0 ? 'Nothing to replay.' : `Requeued ${count} dead letter(s); a running server processes them now.`);
  } finally {
    await close();
  }
}

/** `replay` (the older spelling): --list lists, otherwise replays. */
async function replay(opts: DeadLetterOptions & { list?: boolean }): Promise<void> {
  if (opts.list) return listDeadLetters(opts);
  return replayDeadLetters(opts);
}

function portOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port from 0 to 65535');
  return n;
}

async function demo(opts: { once?: boolean; port: number; only?: string }): Promise<void> {
  // The sandbox is a separate world: only these commands load it, never the server.
  const { runDemo, printWhereToLook } = await import('../sandbox/demo/run-demo');
  // DATABASE_URL=postgres://... runs the demo on PostgreSQL (pg-boss as the job engine), in a
  // fresh schema of its own (and pg-boss's next to it); otherwise on a throwaway SQLite file.
  const env = await demoDatabaseEnv(process.env.DATABASE_URL);
  if (env) print(`Demo on PostgreSQL: schema ${env.schema}, pg-boss schema ${env.PGBOSS_SCHEMA}`);
  const run = await runDemo({
    once: !!opts.once,
    port: opts.port,
    only: opts.only?.split(','),
    write: print,
    ...(env ? { env: { DATABASE_URL: env.DATABASE_URL, PGBOSS_SCHEMA: env.PGBOSS_SCHEMA } } : {}),
  });
  if (opts.once) {
    await run.stop();
    process.exit(run.passed ? 0 : 1);
  }
  printWhereToLook(print, run);
  const stop = () => run.stop().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function demoDatabaseEnv(url: string | undefined): Promise<{ DATABASE_URL: string; PGBOSS_SCHEMA: string; schema: string } | null> {
  if (!url || !/^postgres(ql)?:\/\//i.test(url)) return null;
  const { Client } = await import('pg');
  const { quoteIdent } = await import('../store/postgres/pg-store');
  const schema = `helpdesk_sync_demo_${Date.now().toString(36)}`;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  } finally {
    await client.end();
  }
  const withPath = new URL(url);
  withPath.searchParams.set('options', `-c search_path=${schema}`);
  return { DATABASE_URL: withPath.toString(), PGBOSS_SCHEMA: `${schema}_pgboss`, schema };
}

async function sandbox(opts: { portBase: number; target?: string }): Promise<void> {
  const { startSandboxes } = await import('../sandbox/world');
  const boxes = await startSandboxes({ portBase: opts.portBase });
  boxes.connect(opts.target ?? null);
  print('Vendor sandboxes running:');
  print(`  Freshdesk  ${boxes.urls.freshdesk}`);
  print(`  Zendesk    ${boxes.urls.zendesk}`);
  print(`  Jira       ${boxes.urls.jira}`);
  print('');
  print(opts.target ? `Webhooks go to ${opts.target}/webhooks/<vendor>.` : 'Webhooks are not sent anywhere; pass --target http://localhost:3000 to send them to helpdesk-sync.');
  print('Point a helpdesk-sync at them with:');
  for (const [k, v] of Object.entries(boxes.env)) print(`  export ${k}=${v}`);
  print('');
  print('Each sandbox: GET /_sandbox/calls (calls per endpoint), POST /_sandbox/faults {"rateLimitNext":3,"serverErrorNext":5,"latencyMs":200,"dropWebhooksNext":1}, DELETE /_sandbox/faults.');
  print('Press Ctrl-C to stop.');
  const stop = () => boxes.close().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function preview(opts: { vendor: Vendor; ticket: string; connection: string; as?: string }): Promise<void> {
  if (opts.vendor === 'jira') throw new InvalidArgumentError('preview takes a helpdesk ticket: --vendor freshdesk or zendesk');
  if (opts.as !== undefined && opts.as !== 'bug' && opts.as !== 'request') throw new InvalidArgumentError('--as takes bug or request');
  const { previewIssue } = await import('./preview');
  const lines = await previewIssue(load(), { vendor: opts.vendor, ticket: opts.ticket, connection: opts.connection, as: opts.as as 'bug' | 'request' | undefined });
  lines.forEach((l) => print(l));
}

async function explain(opts: { vendor: Vendor; ticket: string; connection: string }): Promise<void> {
  if (opts.vendor === 'jira') throw new InvalidArgumentError('explain takes a helpdesk ticket: --vendor freshdesk or zendesk');
  const { explainTicket } = await import('./explain');
  const store = openStore(load().config.database.url);
  try {
    (await explainTicket(store, opts.vendor, opts.connection, opts.ticket)).forEach((l) => print(l));
  } finally {
    await store.close();
  }
}

async function gaps(opts: { json?: boolean }): Promise<void> {
  const { knowledgeGaps } = await import('../audit/gaps');
  const { auditSettings } = await import('../audit/settings');
  const loaded = load();
  const store = openStore(loaded.config.database.url);
  try {
    const list = await knowledgeGaps(store, auditSettings(loaded.config));
    if (opts.json) return print(JSON.stringify(list, null, 2));
    if (!list.length) return print('No knowledge gaps: every escalated ticket resolved so far captured its outcome, root cause and missing documentation (E5).');
    print(`${list.length} ticket(s) resolved after escalation without full knowledge capture (E5):`);
    for (const g of list) print(`  ${g.vendor}/${g.connectionId} ticket ${g.ticketId}${g.issueKey ? ` (${g.issueKey})` : ''}  ${g.at}  ${g.summary}${g.ownerId ? `; owner ${g.ownerId}` : ''}`);
  } finally {
    await store.close();
  }
}

async function sweep(): Promise<void> {
  const { sweepConsults } = await import('../sync/sweeps');
  const loaded = load();
  const { store, close } = await openCliStore(loaded, loggerFor(loaded));
  try {
    const queued = await sweepConsults(store, new Date(), loggerFor(loaded));
    print(`E3 consult sweep: ${queued} ticket(s) away from their owner queued for a fresh look; a running server processes them now.`);
  } finally {
    await close();
  }
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('helpdesk-sync')
    .description('Freshdesk and Zendesk tickets, Jira issues, and the escalation rules between them');
  program
    .command('serve')
    .description('run the webhook receiver and the worker')
    .addOption(
      new Option('--role <role>', 'web: webhooks only; worker: the inbox and the scheduled jobs only; all: both')
        .choices([...SERVICE_ROLES])
        .default('all'),
    )
    .action(serve);
  program.command('check-config').description('validate the configuration and show each connection').action(checkConfig);
  program
    .command('replay')
    .description('requeue dead-lettered events (all, or those selected)')
    .option('--vendor <vendor>', 'only this vendor', vendorOption)
    .option('--connection <id>', 'only this connection')
    .option('--id <deadLetterId>', 'only this dead letter (repeatable)', idList)
    .option('--list', 'list the dead letters instead of requeueing them')
    .action(replay);
  const dead = program.command('dead-letters').description('events that gave up: list them, or requeue them (`replay` is the same as `dead-letters replay`)');
  dead
    .command('list')
    .description('the dead letters not replayed yet')
    .option('--vendor <vendor>', 'only this vendor', vendorOption)
    .option('--connection <id>', 'only this connection')
    .action(listDeadLetters);
  dead
    .command('replay')
    .description('requeue the given dead letters, or --all (narrowed by --vendor/--connection)')
    .argument('[ids...]', 'dead-letter ids')
    .option('--all', 'every dead letter matching --vendor/--connection')
    .option('--vendor <vendor>', 'only this vendor', vendorOption)
    .option('--connection <id>', 'only this connection')
    .action(async (ids: string[], opts: DeadLetterOptions) => {
      const parsed = ids.reduce<number[]>((acc, v) => idList(v, acc), []);
      if (!parsed.length && !opts.all) throw new InvalidArgumentError('give dead-letter ids, or --all');
      if (parsed.length && opts.all) throw new InvalidArgumentError('give dead-letter ids or --all, not both');
      await replayDeadLetters({ ...opts, id: parsed.length ? parsed : undefined });
    });
  program
    .command('preview')
    .description('print the Jira issue helpdesk-sync would raise for a ticket, without writing anything')
    .requiredOption('--vendor <vendor>', 'freshdesk or zendesk', vendorOption)
    .requiredOption('--ticket <id>', 'the ticket id')
    .option('--connection <id>', 'the helpdesk connection', 'default')
    .option('--as <kind>', 'bug or request, when no trigger holds yet')
    .action(preview);
  program
    .command('explain')
    .description("a ticket's owner, handoff trail and every decision with its rule, from the audit trail")
    .requiredOption('--vendor <vendor>', 'freshdesk or zendesk', vendorOption)
    .requiredOption('--ticket <id>', 'the ticket id')
    .option('--connection <id>', 'the helpdesk connection', 'default')
    .action(explain);
  program
    .command('knowledge-gaps')
    .description('escalated tickets resolved without outcome, root cause or missing documentation (E5)')
    .option('--json', 'print JSON')
    .action(gaps);
  program
    .command('sweep')
    .description('run the scheduled jobs once: the E3 consult-window sweep')
    .action(sweep);
  registerSyncCommand(program, { load, print });
  registerAuditCommand(program, { load });
  program
    .command('demo')
    .description('run the vendor sandboxes and helpdesk-sync, and play the user\'s scenarios')
    .option('--once', 'exit after the summary: status 0 only if every scenario reached its expected end state')
    .option('--port <port>', 'helpdesk-sync port (0 picks a free one)', portOption, 0)
    .option('--only <ids>', 'only these scenarios, for example a,c')
    .action(demo);
  program
    .command('sandbox')
    .description('run only the Freshdesk, Zendesk and Jira emulators and print their base URLs')
    .option('--port-base <port>', 'first of three consecutive ports (0 picks free ones)', portOption, 4010)
    .option('--target <url>', 'helpdesk-sync base URL to send webhooks to, for example http://localhost:3000')
    .action(sandbox);
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof StoreConfigError || err instanceof InvalidArgumentError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (isVendorApiError(err)) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  createLogger({ level: 'error' }).error('helpdesk-sync failed', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
