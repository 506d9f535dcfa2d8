import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';

/**
 * Jest's node environment with a temporary folder of the test file's own as TMPDIR: whatever
 * the file's tests, and the servers, demos and processes they start, put in "the temp folder"
 * (os.tmpdir() reads TMPDIR on every call) lands there, and it is removed once the file has
 * finished, after its own afterAll hooks closed what they opened.
 */
export default class TmpFolderEnvironment extends NodeEnvironment {
  private readonly folder: string | null;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const root = process.env.HS_TEST_TMP_ROOT;
    this.folder = root ? mkdtempSync(path.join(root, `${path.basename(context.testPath, '.test.ts')}-`)) : null;
  }

  override async setup(): Promise<void> {
    await super.setup();
    if (!this.folder) return;
    process.env.TMPDIR = this.folder;
    (this.global.process as NodeJS.Process).env.TMPDIR = this.folder;
  }

  override async teardown(): Promise<void> {
    if (this.folder) rmSync(this.folder, { recursive: true, force: true, maxRetries: 3 });
    await super.teardown();
  }
}
