import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadConfig, type LoadedConfig } from '../../src/config/load';
import type { JiraIssuesConfig } from '../../src/config/schema';
import type { Ticket } from '../../src/domain/ticket';
import { createLogger, type Logger } from '../../src/logging/logger';
import { FreshdeskAgent, ZendeskAgent } from '../../src/sandbox/demo/actors';
import type { CallRecord } from '../../src/sandbox/core/call-counter';
import type { IssueRecord } from '../../src/sandbox/jira';
import { FRESHDESK_AGENTS, JIRA_PROJECT, ZENDESK_AGENTS } from '../../src/sandbox/seed-people';
import { INTEGRATION_ACTORS, startSandboxes, type Sandboxes } from '../../src/sandbox/world';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { InboxEvent, Store } from '../../src/store/types';
import { VendorClients } from '../../src/sync/clients';
import { JiraIssueHandler } from '../../src/sync/jira-issues';
import { EventProcessor } from '../../src/sync/processor';
import { Dispatcher } from '../../src/sync/dispatcher';
import { Executor } from '../../src/sync/executor';
import { Worker } from '../../src/sync/worker';
import type { JiraClientApi } from '../../src/vendors/types';
import { configFile, FAST_RECOVERY_YAML } from '../e2e/stack';

export type Helpdesk = 'freshdesk' | 'zendesk';
type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: Json, extra: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? merge(current, value) : value;
  }
  return out;
}

/** A config over the sandboxes: FAST_RECOVERY_YAML, then `overrides` (arrays replace). */
export function sandboxConfig(sandboxes: Sandboxes, overrides: Json = {}): LoadedConfig {
  const yaml = stringifyYaml(merge(parseYaml(FAST_RECOVERY_YAML) as Json, overrides));
  return loadConfig({ env: { ...sandboxes.env, DATABASE_URL: ':memory:', LOG_LEVEL: 'silent', CONFIG_FILE: configFile(yaml) } });
}

/** A test clock: starts at the real time (the sandboxes stamp records with it) and only moves when told. */
export class Clock {
  private at = new Date();
  readonly now = (): Date => this.at;
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

/** VendorClients whose Jira client can be wrapped (to simulate a lost answer, a slow worker...). */
export class WrappedClients extends VendorClients {
  constructor(
    loaded: LoadedConfig,
    logger: Logger,
    private readonly wrap: (inner: JiraClientApi) => JiraClientApi,
  ) {
    super(loaded.connections, loaded.config, logger);
  }

  override jira(connectionId: string): JiraClientApi | undefined {
    const inner = super.jira(connectionId);
    return inner ? this.wrap(inner) : undefined;
  }
}

/** A JiraClientApi that forwards everything to `inner` except what `overrides` replaces. */
export function jiraWith(inner: JiraClientApi, overrides: Partial<JiraClientApi>): JiraClientApi {
  return {
    getIssue: (k) => inner.getIssue(k),
    editIssue: (k, e) => inner.editIssue(k, e),
    createIssue: (i) => inner.createIssue(i),
    addComment: (k, b, p) => inner.addComment(k, b, p),
    listTransitions: (k) => inner.listTransitions(k),
    doTransition: (k, t, c) => inner.doTransition(k, t, c),
    addRemoteLink: (k, l) => inner.addRemoteLink(k, l),
    searchPage: (q, f, t, m) => inner.searchPage(q, f, t, m),
    search: (q, f) => inner.search(q, f),
    getIssueProperty: (k, p) => inner.getIssueProperty(k, p),
    setIssueProperty: (k, p, v) => inner.setIssueProperty(k, p, v),
    ...overrides,
  };
}

export interface Rig {
  loaded: LoadedConfig;
  store: Store;
  clients: VendorClients;
  handler: JiraIssueHandler;
  processor: EventProcessor;
  worker: Worker;
}

let nextEventId = 1;

/** An inbox event as the worker would hand it over, for driving the processor directly. */
export function ticketEvent(vendor: Helpdesk, ticketId: number | string, eventType = 'ticket_updated'): InboxEvent {
  const at = new Date();
  const id = nextEventId++;
  return {
    id,
    vendor,
    connectionId: 'default',
    entityKey: `ticket:${ticketId}`,
    dedupeKey: `test-${id}`,
    eventType,
    source: 'replay',
    payload: {},
    headers: {},
    receivedAt: at,
    status: 'processing',
    attempts: 1,
    nextAttemptAt: at,
    lockedBy: 'test',
    lockedUntil: null,
    lastError: null,
    processedAt: null,
  };
}

export const silent = createLogger({ level: 'silent' });

/**
 * The sandboxes on loopback (no webhook target: the tests drive processing themselves), the
 * demo's agents acting through the REST APIs, and helpers to count helpdesk-sync's calls.
 */
export class World {
  readonly clock = new Clock();
  readonly sam: FreshdeskAgent;
  readonly dana: ZendeskAgent;

  private constructor(readonly sandboxes: Sandboxes) {
    this.sam = new FreshdeskAgent(sandboxes.urls.freshdesk, FRESHDESK_AGENTS.samOrtiz.apiKey);
    this.dana = new ZendeskAgent(sandboxes.urls.zendesk, ZENDESK_AGENTS.danaFox.email, ZENDESK_AGENTS.danaFox.apiKey);
  }

  static async start(): Promise<World> {
    return new World(await startSandboxes({ webhookRetryDelayMs: 20 }));
  }

  close(): Promise<void> {
    return this.sandboxes.close();
  }

  /** A store, clients and handler wired like the server's; `store` may be shared between rigs (two workers). */
  rig(options: { overrides?: Json; store?: Store; wrapJira?: (inner: JiraClientApi) => JiraClientApi } = {}): Rig {
    const loaded = sandboxConfig(this.sandboxes, options.overrides);
    const store = options.store ?? new SqliteStore(':memory:');
    const clients = options.wrapJira ? new WrappedClients(loaded, silent, options.wrapJira) : new VendorClients(loaded.connections, loaded.config, silent);
    const executor = new Executor({ store, clients, settleMs: loaded.config.jiraIssues.createSettleSeconds * 1000, now: this.clock.now });
    const handler = new JiraIssueHandler({ store, clients, executor, config: loaded.config.jiraIssues, projectKey: JIRA_PROJECT.key, now: this.clock.now });
    const processor = new EventProcessor({ store, clients, dispatcher: new Dispatcher().onTicket(handler), now: this.clock.now });
    const worker = new Worker(store, processor, silent, { ...loaded.config.worker, concurrency: 1, workerId: `w-${nextEventId++}`, now: this.clock.now });
    return { loaded, store, clients, handler, processor, worker };
  }

  /** Processes one event of the ticket end to end (fetch, handlers, snapshot); errors propagate. */
  async process(rig: Rig, vendor: Helpdesk, ticketId: number): Promise<void> {
    await rig.processor.process(ticketEvent(vendor, ticketId), silent);
  }

  /** The ticket as helpdesk-sync reads it. */
  async ticket(rig: Rig, vendor: Helpdesk, ticketId: number): Promise<Ticket> {
    const client = rig.clients.helpdesk(vendor, 'default');
    if (!client) throw new Error(`no ${vendor} client`);
    return client.getTicket(String(ticketId));
  }

  /** The Jira issues that carry the ticket's identity label (how J1 is checked from the outside). */
  issuesFor(vendor: Helpdesk, ticketId: number): IssueRecord[] {
    const label = `hs-${vendor}-default-${ticketId}`;
    return [...this.sandboxes.jira.state.issues.values()].filter((i) => i.labels.includes(label));
  }

  onlyIssue(vendor: Helpdesk, ticketId: number): IssueRecord {
    const issues = this.issuesFor(vendor, ticketId);
    if (issues.length !== 1) throw new Error(`expected one Jira issue for ${vendor} ${ticketId}, found ${issues.length}`);
    return issues[0] as IssueRecord;
  }

  /** helpdesk-sync's calls to one sandbox since a moment (Date.now() taken before the action). */
  callsBy(vendor: Helpdesk | 'jira', since: number): CallRecord[] {
    return this.sandboxes[vendor].http.calls.since(since, { actor: INTEGRATION_ACTORS[vendor] });
  }

  /** helpdesk-sync's private notes on a ticket, as the helpdesk holds them (body text). */
  integrationNotes(vendor: Helpdesk, ticketId: number): string[] {
    if (vendor === 'freshdesk') {
      return this.sandboxes.freshdesk
        .conversations(ticketId)
        .filter((c) => c.userId === FRESHDESK_AGENTS.integration.id && c.private)
        .map((c) => c.bodyText);
    }
    return this.sandboxes.zendesk
      .comments(ticketId)
      .filter((c) => c.authorId === ZENDESK_AGENTS.integration.id && !c.public)
      .map((c) => c.plainBody);
  }

  tags(vendor: Helpdesk, ticketId: number): string[] {
    return (vendor === 'freshdesk' ? this.sandboxes.freshdesk.ticket(ticketId)?.tags : this.sandboxes.zendesk.ticket(ticketId)?.tags) ?? [];
  }
}

/** The jiraIssues block of a rig's config, for assertions. */
export function jiraConfig(rig: Rig): JiraIssuesConfig {
  return rig.loaded.config.jiraIssues;
}
