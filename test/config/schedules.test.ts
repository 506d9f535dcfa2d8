import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load';

describe('schedules', () => {
  it('defaults the E3 consult sweep to every 15 minutes and refuses a bad cron expression by name', () => {
    expect(loadConfig({ env: {} }).config.schedules.consultSweep).toBe('*/15 * * * *');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hs-cron-')), 'bad.yaml');
    writeFileSync(file, 'schedules:\n  consultSweep: "every quarter hour"\n');
    expect(() => loadConfig({ env: { CONFIG_FILE: file } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { CONFIG_FILE: file } })).toThrow(/schedules\.consultSweep: expected a cron expression/);
  });
});
