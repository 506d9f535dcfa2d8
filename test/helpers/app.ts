import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../../src/config/load';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { fullEnv } from './env';

/** A config with all three vendors enabled and, optionally, extra YAML merged on top. */
export function testConfig(overrides: Record<string, string | undefined> = {}, yaml?: string): LoadedConfig {
  const env = fullEnv(overrides);
  if (yaml) {
    const dir = mkdtempSync(path.join(tmpdir(), 'hs-config-'));
    const file = path.join(dir, 'extra.yaml');
    writeFileSync(file, yaml);
    env.CONFIG_FILE = file;
  }
  return loadConfig({ env });
}

export function memoryStore(): SqliteStore {
  return new SqliteStore(':memory:');
}
