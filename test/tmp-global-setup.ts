import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Every temporary folder the tests make goes under one root of this run: each test file gets
 * its own folder there as TMPDIR (test/tmp-environment.ts), removed when the file ends, and
 * the teardown fails the run if anything is left (test/tmp-global-teardown.ts).
 */
export default function globalSetup(): void {
  const root = mkdtempSync(path.join(tmpdir(), 'helpdesk-sync-tests-'));
  process.env.HS_TEST_TMP_ROOT = root;
}
