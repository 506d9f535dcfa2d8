import { readdirSync, rmSync } from 'node:fs';

/** The run left nothing behind: every test file removed its temporary folder (test/tmp-environment.ts). */
export default function globalTeardown(): void {
  const root = process.env.HS_TEST_TMP_ROOT;
  if (!root) return;
  const left = readdirSync(root);
  rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  if (left.length > 0) {
    throw new Error(`the tests left temporary folders behind: ${left.join(', ')} (in ${root}); a test file's temporary folder must be gone when it ends`);
  }
}
