import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * `npm test` leaves nothing in the temp folder: each test file's temporary folder is its own,
 * under the run's root, and goes when the file ends (test/tmp-environment.ts); the run's
 * teardown fails on anything left (test/tmp-global-teardown.ts).
 */
describe('temporary folders of the tests', () => {
  it("are this file's own, under the run's root", () => {
    const root = process.env.HS_TEST_TMP_ROOT;
    expect(root).toBeTruthy();
    expect(path.dirname(tmpdir())).toBe(root);
    expect(path.basename(tmpdir())).toMatch(/^temp-folders-/);
    const made = mkdtempSync(path.join(tmpdir(), 'hs-config-'));
    writeFileSync(path.join(made, 'extra.yaml'), 'worker:\n  concurrency: 2\n');
    expect(existsSync(made)).toBe(true);
    expect(made.startsWith(`${root}${path.sep}`)).toBe(true);
  });

  it('reach the processes the tests start', async () => {
    const { spawnSync } = await import('node:child_process');
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("node:os").tmpdir())'], { encoding: 'utf8' });
    expect(child.stdout).toBe(tmpdir());
  });
});
