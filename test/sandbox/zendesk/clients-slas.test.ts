import { loadConfig } from '../../../src/config/load';
import type { Config } from '../../../src/config/schema';
import { createLogger } from '../../../src/logging/logger';
import { ZENDESK_AGENTS, ZENDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import type { ZendeskSandbox } from '../../../src/sandbox/zendesk';
import { VendorClients } from '../../../src/sync/clients';
import { fullEnv } from '../../helpers/env';
import { createTicket, startSandbox } from './helpers';

let sandbox: ZendeskSandbox;
let url: string;

beforeAll(async () => {
  ({ sandbox, url } = await startSandbox());
});
afterAll(async () => {
  await sandbox.close();
});

/** helpdesk-sync's clients for a config pointing its Zendesk connection at the sandbox, with these SLA sources. */
function clientsWith(sla: Partial<Pick<Config['sla'], 'source' | 'sources'>>): VendorClients {
  const a = ZENDESK_AGENTS.integration;
  const loaded = loadConfig({ env: fullEnv({ ZENDESK_URL: url, ZENDESK_EMAIL: a.email, ZENDESK_API_TOKEN: a.apiKey }) });
  const config: Config = { ...loaded.config, sla: { ...loaded.config.sla, ...sla } };
  return new VendorClients(loaded.connections, config, createLogger({ level: 'silent' }));
}

describe('VendorClients: a Zendesk connection asks include=slas only when its SLA source is the helpdesk', () => {
  let id: string;
  beforeAll(async () => {
    id = String(
      await createTicket(url, 'integration', { subject: 'Urgent', submitter_id: ZENDESK_REQUESTERS.maria.id, requester_id: ZENDESK_REQUESTERS.maria.id, priority: 'urgent', comment: { body: 'Down.' } }),
    );
  });

  it.each<[string, Partial<Pick<Config['sla'], 'source' | 'sources'>>, boolean]>([
    ['the default source (ours)', {}, false],
    ['source: helpdesk', { source: 'helpdesk' }, true],
    ['sources["zendesk/default"]: helpdesk over source: ours', { source: 'ours', sources: { 'zendesk/default': 'helpdesk' } }, true],
    ['sources["zendesk/default"]: ours over source: helpdesk', { source: 'helpdesk', sources: { 'zendesk/default': 'ours' } }, false],
    ['another connection set to helpdesk', { sources: { 'zendesk/partner-b': 'helpdesk', 'freshdesk/default': 'helpdesk' } }, false],
  ])('%s', async (_name, sla, asks) => {
    const client = clientsWith(sla).helpdesk('zendesk', 'default');
    expect(client).toBeDefined();
    const ticket = await client?.getTicket(id);
    if (asks) expect(ticket?.helpdeskSla).toMatchObject({ firstResponse: { stage: 'active' }, resolution: { stage: 'active' } });
    else expect(ticket?.helpdeskSla).toBeUndefined();
  });
});
