#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, PACKAGE_ROOT, type LoadedConfig } from '../config/load';
import { VENDORS, type Vendor } from '../domain/ticket';
import { createLogger } from '../logging/logger';
import { loggerFor, SERVICE_ROLES, startService, type ServiceRole } from '../server';
import { openStore, StoreConfigError } from '../store/open-store';
import { openCliStore } from './job-store';
import { isVendorApiError } from '../vendors/core/errors';
import { registerSyncCommand } from './sync';
import { registerAuditCommand } from './audit';
import { registerDeadLetterCommands } from './dead-letters';
import { registerStatusCommand } from './status';

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

/** package.json's version (the package root is the same from src/ under tsx and from dist/). */
function packageVersion(): string {
  try {
    return String((JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

async function serve(options: { role: ServiceRole; port?: number }): Promise<void> {
  const base = load();
  // --port wins over PORT and config server.port.
  const loaded = options.port === undefined ? base : { ...base, config: { ...base.config, server: { ...base.config.server, port: options.port } } };
  const logger = loggerFor(loaded);
  // Unset variables of optional keys, and the like: started anyway, but said.
  for (const warning of loaded.warnings) logger.warn(`configuration: ${warning}`);
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

async function checkConfig(opts: { strict?: boolean; online?: boolean }): Promise<void> {
  const { runCheckConfig } = await import('./check-config');
  // Exit 2 on any problem; a configuration error itself is thrown to main's handler (also 2).
  process.exit(await runCheckConfig(opts, { write: print, load }));
}

function portOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port from 0 to 65535');
  return n;
}

/** What `demo` uses of src/sandbox/demo/run-demo (test/docker/production-build checks the real module fits). */
export interface DemoModule<Run extends { passed: boolean; stop(): Promise<void> } = { passed: boolean; stop(): Promise<void> }> {
  runDemo: (options: { once: boolean; port: number; only?: string[]; write: (line: string) => void; env?: Record<string, string> }) => Promise<Run>;
  printWhereToLook: (write: (line: string) => void, run: Run) => void;
}

/** What `sandbox` uses of src/sandbox/world (checked the same way). */
export interface SandboxModule {
  startSandboxes: (options: { portBase: number }) => Promise<{
    urls: { freshdesk: string; zendesk: string; jira: string };
    env: Record<string, string>;
    connect(helpdeskSyncUrl: string | null): void;
    close(): Promise<void>;
  }>;
}

const NOT_IN_THIS_BUILD = 'the demo and the sandboxes are not part of this build; use the demo image target or a checkout: npm run demo';

/**
 * The sandbox is a separate world: only `demo` and `sandbox` load it, never the server, and the
 * production build leaves it out (tsconfig.build.json; the image's runtime target). The name is
 * computed so that tsc does not follow the import into that build; where the module is missing,
 * the command says so and exits 2 instead of crashing.
 */
async function loadSandbox<T>(name: 'demo/run-demo' | 'world'): Promise<T> {
  const specifier = `../sandbox/${name}`;
  try {
    return (await import(specifier)) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | null)?.code;
    // Only the sandbox module itself missing, not something it imports.
    const firstLine = String((err as Error | null)?.message ?? '').split('\n')[0] ?? '';
    if ((code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && firstLine.includes(`sandbox/${name}`)) {
      process.stderr.write(`${NOT_IN_THIS_BUILD}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function demo(opts: { once?: boolean; port: number; only?: string }): Promise<void> {
  const { runDemo, printWhereToLook } = await loadSandbox<DemoModule>('demo/run-demo');
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
  const { startSandboxes } = await loadSandbox<SandboxModule>('world');
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

async function preview(opts: { vendor: Vendor; ticket: string; connection: string; as?: string; json?: boolean }): Promise<void> {
  if (opts.vendor === 'jira') throw new InvalidArgumentError('preview takes a helpdesk ticket: --vendor freshdesk or zendesk');
  if (opts.as !== undefined && opts.as !== 'bug' && opts.as !== 'request') throw new InvalidArgumentError('--as takes bug or request');
  const { composePreview, previewLines } = await import('./preview');
  const loaded = load();
  const composed = await composePreview(loaded, { vendor: opts.vendor, ticket: opts.ticket, connection: opts.connection, as: opts.as as 'bug' | 'request' | undefined });
  if (opts.json) return print(JSON.stringify(composed, null, 2));
  previewLines(loaded, composed).forEach((l) => print(l));
}

async function explain(opts: { vendor: Vendor; ticket: string; connection: string; json?: boolean }): Promise<void> {
  if (opts.vendor === 'jira') throw new InvalidArgumentError('explain takes a helpdesk ticket: --vendor freshdesk or zendesk');
  const { ticketFacts, explainLines, explainJson, unknownTicketMessage } = await import('./explain');
  const store = openStore(load().config.database.url);
  try {
    const facts = await ticketFacts(store, opts.vendor, opts.connection, opts.ticket);
    if (!facts.known) {
      process.stderr.write(`${unknownTicketMessage(facts.ticket)}\n`);
      process.exitCode = 1;
      return;
    }
    if (opts.json) return print(JSON.stringify(explainJson(facts), null, 2));
    explainLines(facts).forEach((l) => print(l));
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
  const version = packageVersion();
  const program = new Command()
    // Usage errors throw (exit status 2 below) instead of exiting 1; subcommands inherit it.
    .exitOverride()
    .name('helpdesk-sync')
    .description('Freshdesk and Zendesk tickets, Jira issues, and the escalation rules between them')
    .version(version, '-V, --version', 'print the version (package.json\'s) and exit');
  program
    .command('serve')
    .description('run the webhook receiver and the worker')
    .addOption(
      new Option('--role <role>', 'web: webhooks only; worker: the inbox and the scheduled jobs only; all: both')
        .choices([...SERVICE_ROLES])
        .default('all'),
    )
    .option('--port <port>', 'listen on this port (overrides PORT and config server.port; 0 picks a free one)', portOption)
    .action(serve);
  program
    .command('check-config')
    .description('validate the configuration, open the store and show each connection (exit 2 on any problem)')
    .option('--strict', 'also fail when a configured connection is disabled or no helpdesk connection is enabled')
    .option('--online', "call each enabled connection's who-am-I endpoint to prove its credentials")
    .action(checkConfig);
  registerStatusCommand(program, { load, print, version });
  registerDeadLetterCommands(program, { load, print });
  program
    .command('preview')
    .description('print the Jira issue helpdesk-sync would raise for a ticket, without writing anything')
    .requiredOption('--vendor <vendor>', 'freshdesk or zendesk', vendorOption)
    .requiredOption('--ticket <id>', 'the ticket id')
    .option('--connection <id>', 'the helpdesk connection', 'default')
    .option('--as <kind>', 'bug or request, when no trigger holds yet')
    .option('--json', 'print the fields of the create call as JSON (the description as ADF)')
    .action(preview);
  program
    .command('explain')
    .description("a ticket's owner, handoff trail and every decision with its rule, from the audit trail")
    .requiredOption('--vendor <vendor>', 'freshdesk or zendesk', vendorOption)
    .requiredOption('--ticket <id>', 'the ticket id')
    .option('--connection <id>', 'the helpdesk connection', 'default')
    .option('--json', 'print JSON')
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
    .description('run the vendor sandboxes and helpdesk-sync, and play the user\'s scenarios (a checkout or the demo image; not in the production build)')
    .option('--once', 'exit after the summary: status 0 only if every scenario reached its expected end state')
    .option('--port <port>', 'helpdesk-sync port (0 picks a free one)', portOption, 0)
    .option('--only <ids>', 'only these scenarios, for example a,c')
    .action(demo);
  program
    .command('sandbox')
    .description('run only the Freshdesk, Zendesk and Jira emulators and print their base URLs (a checkout or the demo image; not in the production build)')
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
  // Commander's own (usage errors, the help, the version): it has written the message already.
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  if (isVendorApiError(err)) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  createLogger({ level: 'error', stream: process.stderr }).error('helpdesk-sync failed', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
