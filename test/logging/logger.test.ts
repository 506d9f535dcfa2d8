import { PassThrough } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/logger';
import { MASK, SecretRegistry, secrets } from '../../src/logging/redact';

const SECRET = 'whsec_7Hq2Lm9Zp4Xc1Vb8';

/** A logger writing into memory, and a way to read what it wrote. */
function capture(options: { format?: 'json' | 'pretty'; registry?: SecretRegistry; level?: string } = {}) {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const logger = createLogger({ format: options.format ?? 'json', level: options.level ?? 'debug', stream, registry: options.registry });
  return { logger, text: () => chunks.join('') };
}

/** Resolves once winston has pushed everything logged so far through its transport. */
async function flush(logger: Logger): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
  expect(logger.transports).toHaveLength(1);
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('createLogger', () => {
  it('writes json lines with no registered secret and no Authorization value', async () => {
    const registry = new SecretRegistry();
    registry.add(SECRET);
    const { logger, text } = capture({ registry });
    logger.info(`Zendesk webhook verified with ${SECRET} for ticket 42`, {
      connection: 'default',
      request: { headers: { Authorization: 'Basic dXNlcjpwYXNz', 'x-request-id': 'req-1' } },
      note: `secret was ${SECRET}`,
      list: [SECRET, 'fine'],
    });
    await flush(logger);

    const written = text();
    expect(written).not.toContain(SECRET);
    expect(written).not.toContain('dXNlcjpwYXNz');
    const [line, ...rest] = jsonLines(written);
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      level: 'info',
      message: `Zendesk webhook verified with ${MASK} for ticket 42`,
      connection: 'default',
      request: { headers: { Authorization: MASK, 'x-request-id': 'req-1' } },
      note: `secret was ${MASK}`,
      list: [MASK, 'fine'],
    });
    expect(line?.timestamp).toEqual(expect.any(String));
  });

  it('masks secrets in a logged Error and in an error passed as metadata', async () => {
    const registry = new SecretRegistry();
    registry.add(SECRET);
    const { logger, text } = capture({ registry });
    logger.error(new Error(`request failed: token ${SECRET} refused`));
    logger.warn('call failed', { err: new Error(`401 for ${SECRET}`) });
    await flush(logger);
    const written = text();
    expect(written).not.toContain(SECRET);
    const lines = jsonLines(written);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'error', message: `request failed: token ${MASK} refused` });
    expect(lines[1]).toMatchObject({ level: 'warn', message: 'call failed', err: { name: 'Error', message: `401 for ${MASK}` } });
  });

  it('uses the process-wide registry by default', async () => {
    const processSecret = 'process-wide-secret-0c9d8e';
    secrets.add(processSecret);
    const { logger, text } = capture();
    logger.info(`about ${processSecret}`);
    await flush(logger);
    expect(text()).not.toContain(processSecret);
    expect(jsonLines(text())[0]?.message).toBe(`about ${MASK}`);
  });

  it('masks in the pretty format too', async () => {
    const registry = new SecretRegistry();
    registry.add(SECRET);
    const { logger, text } = capture({ registry, format: 'pretty' });
    logger.info(`pretty ${SECRET}`, { apiToken: 'plain-token-value', ticket: 7 });
    await flush(logger);
    const written = text();
    expect(written).not.toContain(SECRET);
    expect(written).not.toContain('plain-token-value');
    expect(written).toMatch(/info\s+pretty \[REDACTED\] apiToken=\[REDACTED\] ticket=7\n$/);
  });

  it('respects the level and writes nothing when silent', async () => {
    const warnOnly = capture({ level: 'warn' });
    warnOnly.logger.info('hidden');
    warnOnly.logger.warn('shown');
    await flush(warnOnly.logger);
    expect(jsonLines(warnOnly.text()).map((l) => l.message)).toEqual(['shown']);

    const silent = capture({ level: 'silent' });
    silent.logger.error('nothing');
    await flush(silent.logger);
    expect(silent.text()).toBe('');
  });
});
