import type { LoadedConfig } from '../config/load';
import type { FreshdeskConnectionConfig, JiraConnectionConfig } from '../config/schema';
import type { Vendor } from '../domain/ticket';
import type { Store } from '../store/types';
import type { VendorClients } from './clients';
import { Dispatcher } from './dispatcher';
import { Executor } from './executor';
import { JiraIssueHandler } from './jira-issues';
import { IssueMirrorHandler, TicketMirrorHandler } from './mirror-handler';
import { PolicyHandler } from './policy-handler';
import { IssueSlaHandler, SlaHandler } from './sla-handler';
import { EventProcessor } from './processor';

export interface Pipeline {
  dispatcher: Dispatcher;
  executor: Executor;
  processor: EventProcessor;
}

/** The API users helpdesk-sync writes as, per connection: what they do is our own echo (M5). */
export function ourUsersOf(loaded: LoadedConfig): (vendor: Vendor, connectionId: string) => ReadonlySet<string> {
  const jira = new Set(loaded.config.mirror.jiraIntegrationAccountIds);
  const byConnection = new Map<string, ReadonlySet<string>>();
  for (const [key, roles] of Object.entries(loaded.config.policy.roles)) byConnection.set(key, new Set(roles.integrationUserIds));
  return (vendor, connectionId) => (vendor === 'jira' ? jira : (byConnection.get(`${vendor}/${connectionId}`) ?? new Set()));
}

/**
 * What acts on each event, in order: on tickets the escalation policy (T, E, H), the Jira
 * composer (J1-J5, which reads the trail the policy keeps), the mirror (M3, M4, M6) and the
 * service levels (S1-S3); on issues the mirror (M1, M2) and S3's look at a changed bug. All of
 * them write through the one executor.
 */
export function buildPipeline(loaded: LoadedConfig, store: Store, clients: VendorClients, now?: () => Date): Pipeline {
  const { config } = loaded;
  const jiraConnection = loaded.connections.find((c) => c.vendor === 'jira' && c.id === config.jiraIssues.jiraConnection);
  const projectKey = (jiraConnection?.settings as JiraConnectionConfig | undefined)?.projectKey ?? null;
  const executor = new Executor({ store, clients, settleMs: config.jiraIssues.createSettleSeconds * 1000, ...(now ? { now } : {}) });
  const common = { store, clients, executor, ...(now ? { now } : {}) };
  const mirror = { ...common, mirror: config.mirror, jiraIssues: config.jiraIssues, policy: config.policy };
  const dispatcher = new Dispatcher()
    .onTicket(new PolicyHandler({ ...common, settings: config.policy }))
    .onTicket(new JiraIssueHandler({ ...common, config: config.jiraIssues, projectKey }))
    .onTicket(new TicketMirrorHandler(mirror))
    // S1-S3 last: it reads the link the Jira composer made and sees the mirror's writes done.
    .onTicket(new SlaHandler({ ...common, config }))
    .onIssue(new IssueMirrorHandler(mirror))
    .onIssue(new IssueSlaHandler({ ...common, config }));
  const customStatuses = new Map(
    loaded.connections.filter((c) => c.vendor === 'freshdesk').map((c) => [c.id, (c.settings as FreshdeskConnectionConfig).customStatuses]),
  );
  const processor = new EventProcessor({
    store,
    clients,
    dispatcher,
    ourUsers: ourUsersOf(loaded),
    freshdeskCustomStatuses: (id) => customStatuses.get(id) ?? {},
    ...(now ? { now } : {}),
  });
  return { dispatcher, executor, processor };
}
