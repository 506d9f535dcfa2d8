import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { auditSettings } from '../../audit/settings';
import type { AuditPair } from '../../audit/types';
import { loadConfig } from '../../config/load';
import { createLogger } from '../../logging/logger';
import { startService, type RunningService } from '../../server';
import { runJob } from '../../sync/jobs/run-job';
import type { JobName } from '../../sync/jobs/types';
import { sandboxPolicyYaml } from '../policy-roles';
import { startSandboxes, type Sandboxes } from '../world';
import { demoWorld } from './demo-world';
import { printAudit } from './audit-summary';
import { consoleReporter, type Write } from './report';
import { runScenarios, type ScenarioOutcome } from './runner';
import { SCENARIOS } from './scenarios';
import { baseline, printRaisedIssues, printSummary } from './summary';

export interface DemoOptions {
  /** Exit after the summary instead of serving on. */
  once: boolean;
  /** Port of helpdesk-sync (0 picks a free one). */
  port: number;
  /** Only these scenarios (ids a..e). */
  only?: string[];
  write: Write;
  /** Extra environment for helpdesk-sync (tests pass CONFIG_FILE for faster retries). */
  env?: Record<string, string>;
  /** Runs after the sandboxes start and before the scenarios (tests switch faults on here). */
  beforeScenarios?: (sandboxes: Sandboxes) => void;
}

export interface DemoRun {
  outcomes: ScenarioOutcome[];
  passed: boolean;
  sandboxes: Sandboxes;
  service: RunningService;
  dataDir: string;
  /** The bearer token of the audit's page and routes. */
  auditToken: string;
  /** The audit as the demo left it. */
  audit: AuditPair[];
  stop(): Promise<void>;
}

/**
 * The sandboxes and a real helpdesk-sync (embedded SQLite in a throwaway folder) on loopback,
 * then the escalation scenarios (docs/rules.md) played through the vendors' APIs. helpdesk-sync's own log goes to
 * a file in the data folder so the terminal shows the story, not the plumbing.
 */
export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const { write } = options;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'helpdesk-sync-demo-'));
  const sandboxes = await startSandboxes();
  const rolesFile = path.join(dataDir, 'policy-roles.yaml');
  writeFileSync(rolesFile, sandboxPolicyYaml());
  // The audit is never open without a token: the demo makes one unless it is given one.
  const auditToken = options.env?.AUDIT_TOKEN ?? process.env.AUDIT_TOKEN ?? randomBytes(18).toString('base64url');
  const configFiles = [rolesFile, ...(options.env?.CONFIG_FILE ? [options.env.CONFIG_FILE] : [])].join(path.delimiter);
  const loaded = loadConfig({
    env: {
      ...sandboxes.env,
      DATABASE_URL: path.join(dataDir, 'helpdesk-sync.db'),
      PORT: String(options.port),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      AUDIT_TOKEN: auditToken,
      ...options.env,
      CONFIG_FILE: configFiles,
    },
  });
  const logFile = path.join(dataDir, 'helpdesk-sync.log');
  const logStream = createWriteStream(logFile);
  const logger = createLogger({ level: 'info', format: 'json', stream: logStream });
  // The rules and jobs judge by the sandboxes' clock, which scenario e moves forward.
  const now = () => sandboxes.clock.now();
  const service = await startService(loaded, { logger, host: '127.0.0.1', now });
  sandboxes.connect(service.url);

  write('helpdesk-sync demo: three vendor sandboxes and helpdesk-sync, on this machine');
  write(`  Freshdesk sandbox  ${sandboxes.urls.freshdesk}`);
  write(`  Zendesk sandbox    ${sandboxes.urls.zendesk}`);
  write(`  Jira sandbox       ${sandboxes.urls.jira}`);
  write(`  helpdesk-sync      ${service.url}   (data and log in ${dataDir})`);

  options.beforeScenarios?.(sandboxes);
  const before = baseline(sandboxes);
  const scenarios = options.only ? SCENARIOS.filter((s) => options.only?.includes(s.id)) : SCENARIOS;
  const runOne = async (job: JobName) => {
    await runJob({ loaded, store: service.store, clients: service.clients, logger, now }, { job });
    service.worker.wake();
  };
  const outcomes = await runScenarios(demoWorld(sandboxes, service.url, service.store, runOne), scenarios, consoleReporter(write));
  const decisions = await service.store.listDecisions({});
  const violations = decisions.filter((d) => d.verdict === 'violation' || d.verdict === 'corrected').length;
  printRaisedIssues(write, sandboxes);
  printSummary(write, sandboxes, before, outcomes, violations);
  const audit = await printAudit(write, { store: service.store, settings: auditSettings(loaded.config), now: now(), url: service.url, token: auditToken, databaseUrl: loaded.config.database.url, serving: !options.once });

  // The data folder is the demo's own, thrown away with it (--once at exit, otherwise on Ctrl-C).
  const stop = async () => {
    sandboxes.connect(null);
    await service.stop();
    await sandboxes.close();
    await new Promise<void>((resolve) => logStream.end(resolve));
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  };
  return { outcomes, passed: outcomes.every((o) => o.passed), sandboxes, service, dataDir, auditToken, audit, stop };
}

export function printWhereToLook(write: Write, run: DemoRun): void {
  write('');
  write('Still serving. Where to look:');
  write(`  ${run.service.url}/audit                      the CS leads' audit (token ${run.auditToken})`);
  write(`  ${run.service.url}/readyz                     helpdesk-sync readiness`);
  write(`  ${run.sandboxes.urls.freshdesk}/_sandbox/calls   Freshdesk API calls per endpoint (also /_sandbox/faults)`);
  write(`  ${run.sandboxes.urls.zendesk}/_sandbox/calls   Zendesk API calls per endpoint`);
  write(`  ${run.sandboxes.urls.jira}/_sandbox/calls   Jira API calls per endpoint`);
  write(`  ${path.join(run.dataDir, 'helpdesk-sync.log')}   helpdesk-sync's log (JSON lines)`);
  // The CLI against the demo's own store, as it runs from this checkout (helpdesk-sync is on PATH only after a global install).
  const db = run.service.loaded.config.database;
  const env = `DATABASE_URL='${db.url}'${/^postgres(ql)?:\/\//i.test(db.url) ? ` PGBOSS_SCHEMA='${db.jobSchema}'` : ''}`;
  write(`  ${env} npm run cli -- dead-letters list   dead letters, if any`);
  write(`  ${env} npm run cli -- status              the store, inbox, connections and jobs at a glance`);
  write('  (after npm install -g, `helpdesk-sync <command>` is the same as `npm run cli -- <command>`)');
  write('Press Ctrl-C to stop.');
}
