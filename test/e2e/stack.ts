import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/logging/logger';
import { startService, type RunningService } from '../../src/server';
import { sandboxPolicyYaml } from '../../src/sandbox/policy-roles';
import { startSandboxes, type Sandboxes } from '../../src/sandbox/world';
import { TEST_DATABASE_URL } from '../helpers/stores';

/** Worker and client retries short enough for tests, generous enough to ride out fault bursts. */
export const FAST_RECOVERY_YAML = `
worker:
  backoffBaseMs: 50
  backoffMaxMs: 500
  maxAttempts: 20
  pollIntervalMs: 50
jiraIssues:
  # A create that failed with 5xx is retried after this long without finding the issue.
  createSettleSeconds: 1
# Tests that count inbox events run the polls themselves (sync run); a poll on the minute
# would add events of its own.
schedules:
  poll: "0 0 1 1 *"
  reconcile: "0 0 1 1 *"
vendorHttp:
  retries: 3
  minRetryDelayMs: 10
  maxRetryDelayMs: 50
  maxRetryAfterMs: 5000
`;

export function configFile(yaml: string = FAST_RECOVERY_YAML): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-e2e-config-'));
  const file = path.join(dir, 'e2e.yaml');
  writeFileSync(file, yaml);
  return file;
}

export interface Stack {
  sandboxes: Sandboxes;
  service: RunningService;
  stop(): Promise<void>;
}

/**
 * The real server over HTTP on loopback, its SQLite file in a temp folder, wired to the
 * sandboxes, with the scenarios' roles (src/sandbox/policy-roles.ts) configured for the policy engine (plus any extra YAML).
 */
export async function startStack(extraYaml?: string, options: { sandboxClock?: boolean } = {}): Promise<Stack> {
  const sandboxes = await startSandboxes({ webhookRetryDelayMs: 20 });
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-e2e-'));
  const files = [configFile(), configFile(sandboxPolicyYaml()), ...(extraYaml ? [configFile(extraYaml)] : [])];
  const database = process.env.TEST_E2E_STORE === 'postgres' ? await postgresDatabase() : { DATABASE_URL: path.join(dir, 'helpdesk-sync.db') };
  const { schema: _schema, ...databaseEnv } = { schema: undefined, ...database };
  const loaded = loadConfig({
    env: { ...sandboxes.env, ...databaseEnv, PORT: '0', LOG_LEVEL: 'silent', CONFIG_FILE: files.join(path.delimiter) },
  });
  // sandboxClock: the rules and jobs judge by the sandboxes' movable clock, as in the demo.
  const now = options.sandboxClock ? { now: () => sandboxes.clock.now() } : {};
  const service = await startService(loaded, { logger: createLogger({ level: 'silent' }), host: '127.0.0.1', ...now });
  sandboxes.connect(service.url);
  return {
    sandboxes,
    service,
    async stop() {
      sandboxes.connect(null);
      await service.stop();
      await sandboxes.close();
      if ('schema' in database) await dropSchemas([database.schema, database.PGBOSS_SCHEMA]);
    },
  };
}

/**
 * TEST_E2E_STORE=postgres runs the end-to-end tests on PostgreSQL (TEST_DATABASE_URL), each
 * stack in a fresh schema with pg-boss's next to it, as `npm run demo` does with a postgres URL.
 */
export async function postgresDatabase(prefix = 'hs_e2e'): Promise<{ DATABASE_URL: string; PGBOSS_SCHEMA: string; schema: string }> {
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await client.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { DATABASE_URL: url.toString(), PGBOSS_SCHEMA: `${schema}_pgboss`, schema };
}

export async function dropSchemas(schemas: string[]): Promise<void> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function until<T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until the sandboxes sent everything and helpdesk-sync's inbox has nothing left to do. */
export async function settled(stack: Pick<Stack, 'sandboxes' | 'service'>): Promise<void> {
  // Twice quiet in a row: the last write of a drained inbox may still be sending its webhook
  // (an echo, finished unread, but delivered all the same).
  for (let quiet = 0; quiet < 2; ) {
    await stack.sandboxes.webhooksIdle();
    await until(async () => {
      const c = await stack.service.store.inboxCounts();
      return c.pending === 0 && c.processing === 0;
    }, 'the inbox to drain');
    await sleep(20);
    const c = await stack.service.store.inboxCounts();
    quiet = c.pending === 0 && c.processing === 0 ? quiet + 1 : 0;
  }
  await stack.sandboxes.webhooksIdle();
}
