import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, findConnection, loadConfig } from '../../src/config/load';
import type { ZendeskConnectionConfig } from '../../src/config/schema';

/** Strict configuration: unknown keys and unset ${VAR}s, in real YAML files. */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hds-strict-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function yamlFile(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function failure(env: Record<string, string>): string {
  try {
    loadConfig({ env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('loadConfig did not throw');
}

describe('unknown keys', () => {
  it('names a misspelled key, its file and the closest known key', () => {
    const file = yamlFile('worker.yaml', ['worker:', '  concurency: 8']);
    expect(failure({ CONFIG_FILE: file })).toBe(`Invalid configuration:\n- unknown key worker.concurency in ${file}: did you mean worker.concurrency?`);
  });

  it('lists the known keys when nothing is close, and finds a key put at the wrong level', () => {
    const file = yamlFile('top.yaml', ['foo: bar', 'concurrency: 8']);
    const message = failure({ CONFIG_FILE: file });
    expect(message).toContain(`- unknown key foo in ${file}: expected one of server, log, database, worker,`);
    expect(message).toContain(`- unknown key concurrency in ${file}: did you mean worker.concurrency?`);
  });

  it('reports every unknown key at once, at every level, in the file that holds it', () => {
    const first = yamlFile('first.yaml', ['server:', '  bodylimit: 2mb', 'vendorHttp:', '  circuit:', '    failureTreshold: 3']);
    const second = yamlFile('second.yaml', [
      'jiraIssues:',
      '  keyStorage: { kind: tag, prefx: "jira:" }',
      '  triggers:',
      '    customField: { field: cf_escalation_type, bugValues: [Bug], requestValues: [Feature request], defaultValue: Bug }',
      'mirror:',
      '  ownership: { status: jira, priorty: helpdesk }',
      'connections:',
      '  zendesk:',
      '    - id: partner-b',
      '      url: https://partner-b.zendesk.com',
      '      webhookpath: /hooks/partner-b',
    ]);
    const message = failure({ CONFIG_FILE: [first, second].join(path.delimiter) });
    expect(message.split('\n')).toEqual([
      'Invalid configuration:',
      `- unknown key server.bodylimit in ${first}: did you mean server.bodyLimit?`,
      `- unknown key vendorHttp.circuit.failureTreshold in ${first}: did you mean vendorHttp.circuit.failureThreshold?`,
      `- unknown key jiraIssues.keyStorage.prefx in ${second}: did you mean jiraIssues.keyStorage.prefix?`,
      `- unknown key jiraIssues.triggers.customField.defaultValue in ${second}: expected one of field, bugValues, requestValues`,
      `- unknown key mirror.ownership.priorty in ${second}: did you mean mirror.ownership.priority?`,
      `- unknown key connections.zendesk[partner-b].webhookpath in ${second}: did you mean connections.zendesk[partner-b].webhookPath?`,
    ]);
  });

  it('keeps the user-named keys of records free, and checks the values under them', () => {
    const good = yamlFile('records.yaml', [
      'mirror:',
      '  statusMap:',
      '    zendesk/default: { "In Review": open, "Waiting for customer": pending }',
      'policy:',
      '  roles:',
      '    freshdesk/default:',
      '      frontlineGroups: [43000612001]',
      '      modes: { E2: warn }',
      '  knowledgeFields:',
      '    zendesk: { outcome: "360012345", rootCause: "360012346" }',
      '  priorityMatrix:',
      '    matrix:',
      '      critical: { high: P1, medium: P1, low: P2 }',
      'sla:',
      '  sources: { freshdesk/default: helpdesk }',
      '  targets:',
      '    zendesk/partner-b:',
      '      urgent: { firstResponse: 30m, resolution: 2h }',
      '      high: { firstResponse: 2h, resolution: 1d }',
      '      normal: { firstResponse: 4h, resolution: 2d }',
      '      low: { firstResponse: 1d, resolution: 5d }',
      '  calendars:',
      '    zendesk/partner-b: { timeZone: America/Toronto, hours: ["08:00-12:00", "13:00-17:00"] }',
      '  jiraFixTargets: { Blocker: 1d, Highest: 2d }',
      'connections:',
      '  freshdesk:',
      '    - id: emea',
      '      customStatuses: { "6": pending, "7": on_hold }',
    ]);
    const loaded = loadConfig({ env: { CONFIG_FILE: good } });
    expect(loaded.config.mirror.statusMap['zendesk/default']).toEqual({ 'In Review': 'open', 'Waiting for customer': 'pending' });
    expect(loaded.config.sla.calendars['zendesk/partner-b']?.hours).toEqual(['08:00-12:00', '13:00-17:00']);
    expect(loaded.warnings).toEqual([]);

    const bad = yamlFile('record-values.yaml', [
      'policy:',
      '  roles:',
      '    zendesk/default:',
      '      tier2group: 8447320466430',
      '      modes: { H7: warn }',
      'sla:',
      '  calendars:',
      '    default: { timezone: Europe/Berlin }',
      '  targets:',
      '    default:',
      '      urgent: { firstResponse: 1h, resolution: 4h, nextReply: 2h }',
    ]);
    const message = failure({ CONFIG_FILE: bad });
    expect(message).toContain(`unknown key policy.roles.zendesk/default.tier2group in ${bad}: did you mean policy.roles.zendesk/default.tier2Group?`);
    expect(message).toContain(`unknown key policy.roles.zendesk/default.modes.H7 in ${bad}`);
    expect(message).toContain(`unknown key sla.calendars.default.timezone in ${bad}: did you mean sla.calendars.default.timeZone?`);
    expect(message).toContain(`unknown key sla.targets.default.urgent.nextReply in ${bad}: expected one of firstResponse, resolution`);
  });

  it('loads the shipped defaults without a word', () => {
    expect(loadConfig({ env: {} }).warnings).toEqual([]);
  });
});

describe('${VAR} in YAML', () => {
  const partner = () =>
    yamlFile('partner-b.yaml', [
      'connections:',
      '  zendesk:',
      '    - id: partner-b',
      '      url: ${PARTNER_B_ZENDESK_URL}',
      '      email: integration@partner-b.example',
      '      apiToken: ${PARTNER_B_ZENDESK_TOKEN}',
      '      webhookSecret: ${PARTNER_B_ZENDESK_WEBHOOK_SECRET}',
      'audit:',
      '  token: ${AUDIT_BEARER}',
    ]);

  it('fills in set variables', () => {
    const loaded = loadConfig({
      env: {
        CONFIG_FILE: partner(),
        PARTNER_B_ZENDESK_URL: 'https://partner-b.zendesk.com',
        PARTNER_B_ZENDESK_TOKEN: 'partnerBToken-123456',
        PARTNER_B_ZENDESK_WEBHOOK_SECRET: 'partnerBSecret-654321',
        AUDIT_BEARER: 'audit-bearer-5f3a9c0d',
      },
    });
    const b = findConnection(loaded.connections, 'zendesk', 'partner-b');
    expect(b).toMatchObject({ enabled: true, webhookSecretMissing: null });
    expect((b?.settings as ZendeskConnectionConfig).apiToken).toBe('partnerBToken-123456');
    expect(loaded.config.audit.token).toBe('audit-bearer-5f3a9c0d');
    expect(loaded.warnings).toEqual([]);
  });

  it('an optional key whose variable is not set warns, names the variable and stays unset', () => {
    const file = partner();
    const loaded = loadConfig({ env: { CONFIG_FILE: file, PARTNER_B_ZENDESK_URL: 'https://partner-b.zendesk.com', PARTNER_B_ZENDESK_TOKEN: '' } });
    expect(loaded.warnings).toEqual([
      `environment variable PARTNER_B_ZENDESK_TOKEN is empty (used by connections.zendesk[partner-b].apiToken in ${file}); the key is optional and stays unset: zendesk/partner-b stays disabled until it is set`,
      `environment variable PARTNER_B_ZENDESK_WEBHOOK_SECRET is not set (used by connections.zendesk[partner-b].webhookSecret in ${file}); the key is optional and stays unset: zendesk/partner-b refuses webhooks (503) until it is set`,
      `environment variable AUDIT_BEARER is not set (used by audit.token in ${file}); the key is optional and stays unset`,
    ]);
    const b = findConnection(loaded.connections, 'zendesk', 'partner-b');
    expect(b?.enabled).toBe(false);
    expect(b?.missing).toEqual(['PARTNER_B_ZENDESK_TOKEN (connections.zendesk[partner-b].apiToken)']);
    expect(b?.webhookSecretMissing).toBe('PARTNER_B_ZENDESK_WEBHOOK_SECRET (connections.zendesk[partner-b].webhookSecret)');
    // Left out, not an empty string.
    expect(Object.keys(b?.settings ?? {})).not.toContain('apiToken');
    expect(loaded.config.audit.token).toBeUndefined();
  });

  it('a required key whose variable is not set is an error naming the variable, the key and the file', () => {
    const file = yamlFile('port.yaml', ['server:', '  port: ${HELPDESK_SYNC_PORT}', 'jiraIssues:', '  labels: [helpdesk-sync, "${SITE_LABEL}"]']);
    expect(failure({ CONFIG_FILE: file }).split('\n')).toEqual([
      'Invalid configuration:',
      `- environment variable HELPDESK_SYNC_PORT is not set (used by server.port in ${file})`,
      `- environment variable SITE_LABEL is not set (used by jiraIssues.labels[1] in ${file})`,
    ]);
  });

  it('an optional key left unset keeps the value an earlier file gave it', () => {
    const first = yamlFile('audit-a.yaml', ['audit:', '  token: audit-token-from-file-a']);
    const second = yamlFile('audit-b.yaml', ['audit:', '  token: ${AUDIT_TOKEN_OVERRIDE}']);
    const loaded = loadConfig({ env: { CONFIG_FILE: [first, second].join(path.delimiter) } });
    expect(loaded.config.audit.token).toBe('audit-token-from-file-a');
    expect(loaded.warnings).toEqual([
      `environment variable AUDIT_TOKEN_OVERRIDE is not set (used by audit.token in ${second}); the key is optional: the value of an earlier file applies`,
    ]);
  });

  it("says nothing where a default connection's own environment variable gives the key its value", () => {
    const file = yamlFile('default-zendesk.yaml', ['connections:', '  zendesk:', '    - id: default', '      url: https://acme.zendesk.com', '      apiToken: ${ACME_ZENDESK_TOKEN}']);
    const loaded = loadConfig({ env: { CONFIG_FILE: file, ZENDESK_EMAIL: 'bot@acme.example', ZENDESK_API_TOKEN: 'zdTokenFromEnv-0123456' } });
    expect(loaded.warnings).toEqual([]);
    expect(findConnection(loaded.connections, 'zendesk', 'default')).toMatchObject({ enabled: true, missing: [] });
  });

  it('a partly interpolated value with an unset variable counts as unset', () => {
    const file = yamlFile('url.yaml', ['connections:', '  jira:', '    - id: ops', '      url: https://${OPS_SITE}.atlassian.net']);
    const loaded = loadConfig({ env: { CONFIG_FILE: file } });
    expect(findConnection(loaded.connections, 'jira', 'ops')?.missing[0]).toBe('OPS_SITE (connections.jira[ops].url)');
  });
});
