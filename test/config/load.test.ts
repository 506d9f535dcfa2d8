import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, findConnection, loadConfig, PACKAGE_ROOT, type LoadedConfig } from '../../src/config/load';
import type { ZendeskConnectionConfig } from '../../src/config/schema';
import { secrets } from '../../src/logging/redact';

const ZD_TOKEN = 'zdTokenValue-0123456789';
const ZD_SECRET = 'zdWebhookSecret-abcdef';
const FD_KEY = 'fdApiKeyValue-987654';
const JIRA_TOKEN = 'jiraTokenValue-ABCDEF12';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hds-config-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function yamlFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function connection(loaded: LoadedConfig, vendor: 'freshdesk' | 'zendesk' | 'jira', id = 'default') {
  const c = findConnection(loaded.connections, vendor, id);
  if (!c) throw new Error(`no ${vendor}/${id} connection`);
  return c;
}

/** The ConfigError message of a load that must fail. */
function failure(env: Record<string, string>): string {
  try {
    loadConfig({ env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('loadConfig did not throw');
}

describe('loadConfig: defaults and environment', () => {
  it('loads the defaults with an empty environment', () => {
    const loaded = loadConfig({ env: {} });
    expect(loaded.config.server.port).toBe(3000);
    expect(loaded.config.server.bodyLimit).toBe('1mb');
    expect(loaded.config.database.url).toBe('data/helpdesk-sync.db');
    expect(loaded.config.log.level).toBe('info');
    expect(loaded.config.log.format).toBeUndefined();
    expect(loaded.config.worker).toMatchObject({ enabled: true, concurrency: 4, maxAttempts: 8, leaseMs: 120000 });
    expect(loaded.sources).toEqual([path.join(PACKAGE_ROOT, 'config', 'default.yaml')]);
    // One default connection per vendor, all disabled.
    expect(loaded.connections.map((c) => `${c.vendor}/${c.id}`)).toEqual(['freshdesk/default', 'zendesk/default', 'jira/default']);
    for (const c of loaded.connections) expect(c.enabled).toBe(false);
  });

  it('does not read process.env when an env object is given', () => {
    const before = process.env.PORT;
    process.env.PORT = '4567';
    try {
      expect(loadConfig({ env: {} }).config.server.port).toBe(3000);
    } finally {
      if (before === undefined) delete process.env.PORT;
      else process.env.PORT = before;
    }
  });

  it('applies PORT, DATABASE_URL, LOG_LEVEL and LOG_FORMAT', () => {
    const { config } = loadConfig({ env: { PORT: '8080', DATABASE_URL: 'sqlite:/var/lib/hds.db', LOG_LEVEL: 'debug', LOG_FORMAT: 'json' } });
    expect(config.server.port).toBe(8080);
    expect(config.database.url).toBe('sqlite:/var/lib/hds.db');
    expect(config.log.level).toBe('debug');
    expect(config.log.format).toBe('json');
  });

  it('ignores empty top-level variables and defaults to json logs in production', () => {
    const { config } = loadConfig({ env: { PORT: '', NODE_ENV: 'production' } });
    expect(config.server.port).toBe(3000);
    expect(config.log.format).toBe('json');
    expect(loadConfig({ env: { NODE_ENV: 'production', LOG_FORMAT: 'pretty' } }).config.log.format).toBe('pretty');
  });

  it('builds each vendor default connection from its environment variables', () => {
    const loaded = loadConfig({
      env: {
        FRESHDESK_URL: 'https://acme.freshdesk.com',
        FRESHDESK_API_KEY: FD_KEY,
        FRESHDESK_WEBHOOK_SECRET: 'fdWebhookSecret-xyz',
        ZENDESK_URL: 'https://acme.zendesk.com/',
        ZENDESK_EMAIL: 'bot@acme.example',
        ZENDESK_API_TOKEN: ZD_TOKEN,
        ZENDESK_WEBHOOK_SECRET: ZD_SECRET,
        JIRA_URL: 'https://acme.atlassian.net//',
        JIRA_EMAIL: 'bot@acme.example',
        JIRA_API_TOKEN: JIRA_TOKEN,
        JIRA_PROJECT_KEY: 'SUP',
      },
    });
    const fd = connection(loaded, 'freshdesk');
    expect(fd).toMatchObject({ enabled: true, missing: [], webhookSecretMissing: null, webhookPath: '/webhooks/freshdesk/default' });
    expect(fd.settings).toMatchObject({ id: 'default', url: 'https://acme.freshdesk.com', apiKey: FD_KEY, customStatuses: {} });

    const zd = connection(loaded, 'zendesk');
    expect(zd).toMatchObject({ enabled: true, missing: [], webhookSecretMissing: null, webhookPath: '/webhooks/zendesk/default' });
    expect(zd.settings).toMatchObject({ url: 'https://acme.zendesk.com', email: 'bot@acme.example', apiToken: ZD_TOKEN, webhookSecret: ZD_SECRET });

    const jira = connection(loaded, 'jira');
    expect(jira).toMatchObject({ enabled: true, missing: [], webhookSecretMissing: 'JIRA_WEBHOOK_SECRET', webhookPath: '/webhooks/jira/default' });
    expect(jira.settings).toMatchObject({ url: 'https://acme.atlassian.net', projectKey: 'SUP', apiToken: JIRA_TOKEN });
  });

  it('names the missing environment variables of a half-configured connection', () => {
    const loaded = loadConfig({ env: { ZENDESK_URL: 'https://acme.zendesk.com', JIRA_EMAIL: '' } });
    const zd = connection(loaded, 'zendesk');
    expect(zd.enabled).toBe(false);
    expect(zd.missing).toEqual(['ZENDESK_EMAIL', 'ZENDESK_API_TOKEN']);
    expect(zd.webhookSecretMissing).toBe('ZENDESK_WEBHOOK_SECRET');
    expect(connection(loaded, 'freshdesk').missing).toEqual(['FRESHDESK_URL', 'FRESHDESK_API_KEY']);
    expect(connection(loaded, 'freshdesk').webhookSecretMissing).toBe('FRESHDESK_WEBHOOK_SECRET');
    // An empty variable counts as unset.
    expect(connection(loaded, 'jira').missing).toEqual(['JIRA_URL', 'JIRA_EMAIL', 'JIRA_API_TOKEN']);
  });

  it('registers loaded secrets for redaction', () => {
    const token = 'registered-token-5f3a9c';
    loadConfig({ env: { ZENDESK_API_TOKEN: token } });
    expect(secrets.maskString(`x ${token} y`)).toBe('x [REDACTED] y');
  });
});

describe('loadConfig: wrong values', () => {
  it.each<[string, Record<string, string>, RegExp[]]>([
    ['PORT=abc', { PORT: 'abc' }, [/PORT \(server\.port\)/, /expected a whole number/, /"abc"/]],
    ['PORT=70000', { PORT: '70000' }, [/PORT \(server\.port\)/, /expected a port from 0 to 65535/, /70000/]],
    ['PORT=80.5', { PORT: '80.5' }, [/PORT \(server\.port\)/, /expected a whole number/]],
    ['LOG_LEVEL=loud', { LOG_LEVEL: 'loud' }, [/LOG_LEVEL \(log\.level\)/, /debug/, /"loud"/]],
    ['LOG_FORMAT=xml', { LOG_FORMAT: 'xml' }, [/LOG_FORMAT \(log\.format\)/, /"xml"/]],
    ['ZENDESK_URL=acme', { ZENDESK_URL: 'acme' }, [/ZENDESK_URL \(connections\.zendesk\.0\.url\)/, /expected a base URL/, /"acme"/]],
    ['FRESHDESK_URL=ftp://', { FRESHDESK_URL: 'ftp://acme.example' }, [/FRESHDESK_URL \(connections\.freshdesk\.0\.url\)/, /expected a base URL/]],
    ['ZENDESK_EMAIL', { ZENDESK_EMAIL: 'not-an-email' }, [/ZENDESK_EMAIL \(connections\.zendesk\.0\.email\)/, /expected the email address/, /"not-an-email"/]],
    ['JIRA_EMAIL', { JIRA_EMAIL: 'bot at acme' }, [/JIRA_EMAIL \(connections\.jira\.0\.email\)/, /Atlassian account email/]],
    ['JIRA_PROJECT_KEY=sup', { JIRA_PROJECT_KEY: 'sup' }, [/JIRA_PROJECT_KEY \(connections\.jira\.0\.projectKey\)/, /expected a Jira project key such as SUP/, /"sup"/]],
  ])('%s is refused with the variable, the key and what is expected', (_label, env, patterns) => {
    const message = failure(env);
    expect(message).toMatch(/^Invalid configuration:/);
    for (const p of patterns) expect(message).toMatch(p);
  });

  it.each([
    ['ZENDESK_API_TOKEN', 'connections.zendesk.0.apiToken'],
    ['ZENDESK_WEBHOOK_SECRET', 'connections.zendesk.0.webhookSecret'],
    ['FRESHDESK_API_KEY', 'connections.freshdesk.0.apiKey'],
    ['JIRA_API_TOKEN', 'connections.jira.0.apiToken'],
  ])('refuses a short %s without showing it', (name, key) => {
    const value = 'Xq7#z';
    const message = failure({ [name]: value });
    expect(message).toContain(`${name} (${key})`);
    expect(message).toContain('expected a secret of at least 8 characters');
    expect(message).toContain('a value (hidden)');
    expect(message).not.toContain(value);
  });

  it('reports every problem at once and never shows valid secrets either', () => {
    const message = failure({ PORT: 'abc', ZENDESK_URL: 'acme', ZENDESK_API_TOKEN: ZD_TOKEN, ZENDESK_WEBHOOK_SECRET: ZD_SECRET });
    expect(message).toContain('PORT');
    expect(message).toContain('ZENDESK_URL');
    expect(message).not.toContain(ZD_TOKEN);
    expect(message).not.toContain(ZD_SECRET);
  });
});

describe('loadConfig: CONFIG_FILE', () => {
  it('adds a second Zendesk account with ${ENV} interpolation and a custom webhook path', () => {
    const file = yamlFile(
      'two-zendesk.yaml',
      [
        'server:',
        '  port: 4000',
        'connections:',
        '  zendesk:',
        '    - id: partner-b',
        '      url: https://partner-b.zendesk.com/',
        '      email: integration@partner-b.example',
        '      apiToken: ${PARTNER_B_ZENDESK_TOKEN}',
        '      webhookSecret: ${PARTNER_B_ZENDESK_WEBHOOK_SECRET}',
        '      webhookPath: /hooks/zd-partner-b',
        '    - id: partner-c',
        '      url: https://partner-c.zendesk.com',
        '      apiToken: ${UNSET_TOKEN}',
        '',
      ].join('\n'),
    );
    const loaded = loadConfig({
      env: {
        CONFIG_FILE: file,
        PARTNER_B_ZENDESK_TOKEN: 'partnerBToken-123456',
        PARTNER_B_ZENDESK_WEBHOOK_SECRET: 'partnerBSecret-654321',
        ZENDESK_URL: 'https://acme.zendesk.com',
        ZENDESK_EMAIL: 'bot@acme.example',
        ZENDESK_API_TOKEN: ZD_TOKEN,
        PORT: '5000',
      },
    });
    expect(loaded.sources).toEqual([path.join(PACKAGE_ROOT, 'config', 'default.yaml'), file]);
    // The environment wins over the file.
    expect(loaded.config.server.port).toBe(5000);
    expect(loaded.connections.filter((c) => c.vendor === 'zendesk').map((c) => c.id)).toEqual(['default', 'partner-b', 'partner-c']);

    const b = connection(loaded, 'zendesk', 'partner-b');
    expect(b).toMatchObject({ enabled: true, missing: [], webhookSecretMissing: null, webhookPath: '/hooks/zd-partner-b' });
    const settings = b.settings as ZendeskConnectionConfig;
    expect(settings.url).toBe('https://partner-b.zendesk.com');
    expect(settings.apiToken).toBe('partnerBToken-123456');
    expect(settings.webhookSecret).toBe('partnerBSecret-654321');

    const c = connection(loaded, 'zendesk', 'partner-c');
    expect(c.enabled).toBe(false);
    expect(c.webhookPath).toBe('/webhooks/zendesk/partner-c');
    // apiToken names the variable that was not set (an optional key: a warning, left unset).
    expect(c.missing).toEqual(['connections.zendesk[partner-c].email', 'UNSET_TOKEN (connections.zendesk[partner-c].apiToken)']);
    expect(c.webhookSecretMissing).toBe('connections.zendesk[partner-c].webhookSecret');
    expect(loaded.warnings).toEqual([
      `environment variable UNSET_TOKEN is not set (used by connections.zendesk[partner-c].apiToken in ${file}); the key is optional and stays unset: zendesk/partner-c stays disabled until it is set`,
    ]);

    expect(connection(loaded, 'zendesk').enabled).toBe(true);
    expect(secrets.maskString('partnerBToken-123456')).toBe('[REDACTED]');
  });

  it('lets the environment fill in a default connection declared in the file', () => {
    const file = yamlFile(
      'default-in-file.yaml',
      ['connections:', '  jira:', '    - id: default', '      url: https://acme.atlassian.net', '      projectKey: OPS', ''].join('\n'),
    );
    const loaded = loadConfig({ env: { CONFIG_FILE: file, JIRA_EMAIL: 'bot@acme.example', JIRA_API_TOKEN: JIRA_TOKEN } });
    const jira = connection(loaded, 'jira');
    expect(jira.enabled).toBe(true);
    expect(jira.settings).toMatchObject({ url: 'https://acme.atlassian.net', projectKey: 'OPS', apiToken: JIRA_TOKEN });
    expect(loaded.connections.filter((c) => c.vendor === 'jira')).toHaveLength(1);
  });

  it('names the file key of a wrong value in an extra connection without the secret', () => {
    const file = yamlFile(
      'bad-extra.yaml',
      ['connections:', '  zendesk:', '    - id: partner-b', '      url: partner-b', '      apiToken: short', ''].join('\n'),
    );
    const message = failure({ CONFIG_FILE: file });
    expect(message).toContain('connections.zendesk.1.url');
    expect(message).toContain('connections.zendesk.1.apiToken');
    expect(message).not.toContain('short');
  });

  it('refuses a connection list written as a mapping, without echoing its secrets', () => {
    const file = yamlFile(
      'mapping.yaml',
      ['connections:', '  zendesk:', '    id: partner-b', '    url: https://partner-b.zendesk.com', `    apiToken: ${ZD_TOKEN}`, ''].join('\n'),
    );
    const message = failure({ CONFIG_FILE: file });
    expect(message).toMatch(/connections\.zendesk: .*expected array.*; got a mapping/);
    expect(message).not.toContain(ZD_TOKEN);
  });

  it('refuses an invalid connection id', () => {
    const file = yamlFile('bad-id.yaml', ['connections:', '  zendesk:', '    - id: Partner B', ''].join('\n'));
    expect(failure({ CONFIG_FILE: file })).toMatch(/connections\.zendesk\.1\.id: expected lower-case letters/);
  });

  it('refuses duplicate connection ids', () => {
    const file = yamlFile(
      'dup-id.yaml',
      ['connections:', '  zendesk:', '    - id: partner-b', '    - id: partner-b', ''].join('\n'),
    );
    expect(failure({ CONFIG_FILE: file })).toBe('Invalid configuration: connections.zendesk declares id "partner-b" twice');
  });

  it('allows the same id under two vendors', () => {
    const file = yamlFile('same-id.yaml', ['connections:', '  zendesk:', '    - id: acme', '  freshdesk:', '    - id: acme', ''].join('\n'));
    const loaded = loadConfig({ env: { CONFIG_FILE: file } });
    expect(connection(loaded, 'zendesk', 'acme').webhookPath).toBe('/webhooks/zendesk/acme');
    expect(connection(loaded, 'freshdesk', 'acme').webhookPath).toBe('/webhooks/freshdesk/acme');
  });

  it('refuses two connections on one webhook path', () => {
    const file = yamlFile(
      'dup-path.yaml',
      ['connections:', '  zendesk:', '    - id: partner-b', '      webhookPath: /webhooks/jira/default', ''].join('\n'),
    );
    const message = failure({ CONFIG_FILE: file });
    expect(message).toContain('webhook path /webhooks/jira/default');
    expect(message).toContain('zendesk/partner-b');
    expect(message).toContain('jira/default');
  });

  it('refuses a webhook path that is not a path', () => {
    const file = yamlFile('bad-path.yaml', ['connections:', '  zendesk:', '    - id: b', '      webhookPath: hooks?x=1', ''].join('\n'));
    expect(failure({ CONFIG_FILE: file })).toMatch(/connections\.zendesk\.1\.webhookPath: expected a path/);
  });

  it('refuses a CONFIG_FILE that does not exist', () => {
    const missing = path.join(dir, 'nope.yaml');
    expect(failure({ CONFIG_FILE: missing })).toBe(`CONFIG_FILE points at ${missing}, which does not exist`);
  });

  it('refuses invalid YAML naming the file', () => {
    const file = yamlFile('broken.yaml', 'server:\n  port: [3000\n  bodyLimit: 1mb\n');
    const message = failure({ CONFIG_FILE: file });
    expect(message).toContain(`Configuration file ${file} is not valid YAML`);
  });

  it('refuses a file whose top level is not a mapping', () => {
    const file = yamlFile('list.yaml', '- a\n- b\n');
    expect(failure({ CONFIG_FILE: file })).toBe(`Configuration file ${file} must hold a mapping at the top level`);
  });

  it('accepts an empty file', () => {
    const file = yamlFile('empty.yaml', '# nothing\n');
    expect(loadConfig({ env: { CONFIG_FILE: file } }).config.server.port).toBe(3000);
  });
});
