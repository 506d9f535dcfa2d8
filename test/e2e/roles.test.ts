import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/logging/logger';
import { ZendeskAgent } from '../../src/sandbox/demo/actors';
import { sandboxPolicyYaml } from '../../src/sandbox/policy-roles';
import { ZENDESK_AGENTS, ZENDESK_REQUESTERS } from '../../src/sandbox/seed-people';
import { startSandboxes, type Sandboxes } from '../../src/sandbox/world';
import { startService, type RunningService } from '../../src/server';
import { configFile, until } from './stack';

/**
 * `serve --role web` and `serve --role worker` on one SQLite file: the web process stores what
 * the vendors send and processes nothing; the worker process takes no webhooks and processes
 * what the web process stored.
 */
describe('serve roles on one SQLite database', () => {
  let sandboxes: Sandboxes;
  let dir: string;
  const running: RunningService[] = [];
  const logger = createLogger({ level: 'silent' });

  beforeAll(async () => {
    sandboxes = await startSandboxes({ webhookRetryDelayMs: 20 });
    dir = mkdtempSync(path.join(tmpdir(), 'hs-roles-'));
  });
  afterAll(async () => {
    sandboxes.connect(null);
    for (const s of running) await s.stop();
    await sandboxes.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (role: 'web' | 'worker') => {
    const loaded = loadConfig({
      env: {
        ...sandboxes.env,
        DATABASE_URL: path.join(dir, 'shared.db'),
        PORT: '0',
        LOG_LEVEL: 'silent',
        CONFIG_FILE: [configFile(), configFile(sandboxPolicyYaml())].join(path.delimiter),
      },
    });
    const service = await startService(loaded, { logger, host: '127.0.0.1', role });
    running.push(service);
    return service;
  };

  it('the web process stores and answers; the worker process refuses webhooks and does the work', async () => {
    const web = await start('web');
    sandboxes.connect(web.url);
    const dana = new ZendeskAgent(sandboxes.urls.zendesk, ZENDESK_AGENTS.danaFox.email, ZENDESK_AGENTS.danaFox.apiKey);
    const { id } = await dana.createTicket({
      subject: 'Meter import stops at row 5,000',
      comment: { body: 'The nightly import of meter readings stops after 5,000 rows since Monday.', public: true },
      requester_id: ZENDESK_REQUESTERS.tom.id,
      priority: 'high',
    });
    const stored = await until(async () => {
      const events = await web.store.listEvents({ entityKey: `ticket:${id}` });
      return events.length > 0 ? events : null;
    }, 'the ticket event in the inbox');
    // Nobody processes in a web process: the event is still waiting a moment later.
    await new Promise((r) => setTimeout(r, 300));
    expect((await web.store.getEvent(stored[0]!.id))?.status).toBe('pending');

    const worker = await start('worker');
    const refused = await fetch(`${worker.url}/webhooks/zendesk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: string }).error).toMatch(/--role worker/);
    expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);

    await until(async () => (await web.store.getEvent(stored[0]!.id))?.status === 'done', 'the worker process to finish the event');
    // The worker saved what it fetched: the ticket's snapshot is there for the web process too.
    expect(await web.store.getSnapshot({ vendor: 'zendesk', connectionId: 'default', id: String(id) })).not.toBeNull();

    // Each process reports what it did: the door its webhooks, the worker its events and calls.
    const webMetrics = await (await fetch(`${web.url}/metrics`)).text();
    expect(webMetrics).toMatch(/helpdesk_sync_webhooks_received_total\{vendor="zendesk",connection="default",outcome="accepted"\} [1-9]/);
    const workerMetrics = await (await fetch(`${worker.url}/metrics`)).text();
    expect(workerMetrics).toMatch(/helpdesk_sync_event_processing_seconds_count\{vendor="zendesk",outcome="done"\} [1-9]/);
    expect(workerMetrics).toMatch(/helpdesk_sync_vendor_api_calls_total\{vendor="zendesk",endpoint="GET \/api\/v2\/tickets\/\{id\}[^"]*",status="200"\} [1-9]/);
    // No ticket id in any label (a figure such as a heap size may hold the same digits).
    const labels = workerMetrics.split('\n').flatMap((line) => /\{([^}]*)\}/.exec(line)?.[1] ?? []);
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.filter((l) => l.includes(String(id)))).toEqual([]);
  }, 60_000);
});
