import { FRESHDESK_AGENTS, JIRA_USERS, ZENDESK_AGENTS } from '../seed-people';
import type { Store } from '../../store/types';
import type { JobName } from '../../sync/jobs/types';
import type { Sandboxes } from '../world';
import { FreshdeskAgent, JiraUser, ZendeskAgent } from './actors';

type FdName = Exclude<keyof typeof FRESHDESK_AGENTS, 'integration'>;
type ZdName = Exclude<keyof typeof ZENDESK_AGENTS, 'integration'>;
type JiraName = Exclude<keyof typeof JIRA_USERS, 'integration'>;

/** The sandboxes, where helpdesk-sync listens, and the people who act in the scenarios. */
export interface DemoWorld {
  sandboxes: Sandboxes;
  helpdeskSyncUrl: string;
  /** helpdesk-sync's store: read only for what has no trace at the vendor (owner, trail, decisions). */
  store: Store;
  fd: Record<FdName, FreshdeskAgent>;
  zd: Record<ZdName, ZendeskAgent>;
  jira: Record<JiraName, JiraUser>;
  /** How long a check waits for helpdesk-sync to act on a change. */
  patienceMs: number;
  /** Runs one of helpdesk-sync's scheduled jobs now, as `helpdesk-sync sync run --job <job>` does. */
  runJob(job: JobName): Promise<void>;
}

function people<K extends string, P, A>(all: Record<K | 'integration', P>, make: (p: P) => A): Record<K, A> {
  const out = {} as Record<K, A>;
  for (const [name, person] of Object.entries(all) as Array<[K | 'integration', P]>) {
    if (name !== 'integration') out[name as K] = make(person);
  }
  return out;
}

export function demoWorld(sandboxes: Sandboxes, helpdeskSyncUrl: string, store: Store, runJob: (job: JobName) => Promise<void>, patienceMs = 15_000): DemoWorld {
  const { urls } = sandboxes;
  return {
    sandboxes,
    helpdeskSyncUrl,
    store,
    patienceMs,
    runJob,
    fd: people(FRESHDESK_AGENTS, (a) => new FreshdeskAgent(urls.freshdesk, a.apiKey)),
    zd: people(ZENDESK_AGENTS, (a) => new ZendeskAgent(urls.zendesk, a.email, a.apiKey)),
    jira: people(JIRA_USERS, (u) => new JiraUser(urls.jira, u.email, u.apiToken)),
  };
}
