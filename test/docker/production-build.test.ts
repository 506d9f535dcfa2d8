import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONNECTION_ENV } from '../../src/config/load';
import type { DemoModule, SandboxModule } from '../../src/cli/main';
import type * as RunDemo from '../../src/sandbox/demo/run-demo';
import type * as World from '../../src/sandbox/world';

/**
 * The production build without Docker: tsconfig.build.json compiled into a temporary folder laid
 * out like the package (dist/, package.json, config/, node_modules), as the image's runtime
 * target has it. It holds no sandbox and no demo, and `demo` / `sandbox` there say so and exit 2.
 * Then what the image takes from the repository: .env.example and the Dockerfile.
 */
const ROOT = path.join(__dirname, '..', '..');
const NOT_IN_THIS_BUILD = 'the demo and the sandboxes are not part of this build; use the demo image target or a checkout: npm run demo';
let dir: string;

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(folder, e.name);
    return e.isDirectory() ? filesUnder(full) : [full];
  });
}

/** The production CLI, run from another folder than the package (config is read from the package, not the cwd). */
function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const run = spawnSync(process.execPath, [path.join(dir, 'dist', 'cli', 'main.js'), ...args], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'error', DATABASE_URL: path.join(dir, 'store.db'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** An env file as `docker run --env-file` reads it: NAME=value lines, # comments, no quoting. */
function envFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    expect(eq).toBeGreaterThan(0); // a bare NAME would pass the host's value through
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'helpdesk-sync-production-build-'));
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(dir, 'dist')], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (${tsc.status ?? tsc.signal}):\n${tsc.stdout}${tsc.stderr}`);
  copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(ROOT, 'config'), path.join(dir, 'config'), 'dir');
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}, 300_000);

afterAll(() => {
  // The symlinks go, not what they point at.
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the production build (tsconfig.build.json)', () => {
  it('compiles the service and the CLI, and nothing of src/sandbox', () => {
    const files = filesUnder(path.join(dir, 'dist')).map((f) => path.relative(path.join(dir, 'dist'), f).split(path.sep).join('/'));
    expect(files).toEqual(expect.arrayContaining(['cli/main.js', 'server.js', 'config/load.js']));
    expect(existsSync(path.join(dir, 'dist', 'sandbox'))).toBe(false);
    expect(files.filter((f) => f.startsWith('sandbox/') || f.includes('/sandbox/'))).toEqual([]);
  });

  it('nothing outside src/sandbox imports it by a name tsc would follow', () => {
    const sources = filesUnder(path.join(ROOT, 'src')).filter((f) => f.endsWith('.ts') && !f.startsWith(path.join(ROOT, 'src', 'sandbox') + path.sep));
    const importsSandbox = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"][^'"]*\/sandbox(?:\/|['"])/;
    expect(sources.filter((f) => importsSandbox.test(readFileSync(f, 'utf8'))).map((f) => path.relative(ROOT, f))).toEqual([]);
  });

  it.each([['demo'], ['sandbox']])('`%s` says it is not part of this build and exits 2', (command) => {
    const run = cli([command]);
    expect(run.stderr.trim()).toBe(NOT_IN_THIS_BUILD);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
  });

  it('--version reads the package next to dist', () => {
    const run = cli(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('main.ts\'s types of the sandbox modules fit the real ones (checked by npm run lint)', () => {
    // A compile-time check: the computed import in main.ts has no types of its own.
    const fits = (demo: typeof RunDemo, world: typeof World): [DemoModule<RunDemo.DemoRun>, SandboxModule] => [demo, world];
    expect(typeof fits).toBe('function');
  });
});

describe('.env.example', () => {
  const example = () => envFile(path.join(ROOT, '.env.example'));

  it('names every variable of the README\'s Configuration table and of the connections', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Configuration\n'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration\n') + 5));
    const documented = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1] as string);
    expect(documented.length).toBeGreaterThan(10);
    const names = [...new Set([...documented, ...Object.values(CONNECTION_ENV).flatMap((pairs) => pairs.map(([name]) => name))])];
    expect(names.filter((n) => !(n in example()))).toEqual([]);
  });

  it('is a configuration that check-config passes as it stands (vendors disabled, nothing empty taken as a value)', () => {
    const run = cli(['check-config'], { ...example(), DATABASE_URL: path.join(dir, 'from-env-example.db') });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('check-config: everything checked is in order.');
    expect(run.stdout).toMatch(/freshdesk\/default: disabled/);
    expect(run.status).toBe(0);
  });

  it('.env is kept out of git and of the image; .env.example is not', () => {
    const lines = (f: string) => readFileSync(path.join(ROOT, f), 'utf8').split('\n').map((l) => l.trim());
    expect(lines('.gitignore')).toEqual(expect.arrayContaining(['.env', '!.env.example']));
    expect(lines('.dockerignore')).toContain('.env');
  });
});

describe('the Dockerfile (read, not built: test/docker/image.test.ts builds it where Docker is)', () => {
  const dockerfile = () => readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  // Instructions as Docker reads them: continuation lines joined, comments dropped.
  const instructions = () => dockerfile().replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

  it('has a demo target and ends with the runtime target, the default', () => {
    const stages = instructions().filter((l) => /^FROM /i.test(l)).map((l) => /\bAS\s+(\S+)/i.exec(l)?.[1]);
    expect(stages).toContain('demo');
    expect(stages[stages.length - 1]).toBe('runtime');
  });

  it('bases every stage on one exact Node release (a digest where given)', () => {
    const arg = instructions().find((l) => l.startsWith('ARG NODE_IMAGE='));
    expect(arg).toMatch(/^ARG NODE_IMAGE=node:22\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    expect(instructions().filter((l) => /^FROM /i.test(l)).every((l) => /^FROM (\$\{NODE_IMAGE\}|deps|base) /.test(l))).toBe(true);
  });

  it('builds the runtime target from tsconfig.build.json and the demo from tsconfig.demo.json', () => {
    const text = instructions().join('\n');
    expect(text).toMatch(/FROM deps AS build\nRUN npm run build &&/);
    expect(text).toMatch(/FROM deps AS build-demo\nRUN npm run build:demo &&/);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toContain('tsc -p tsconfig.build.json');
    expect(pkg.scripts['build:demo']).toContain('tsc -p tsconfig.demo.json');
    const runtime = text.slice(text.lastIndexOf('AS runtime'));
    expect(runtime).not.toMatch(/build-demo/);
  });

  it('runs the CLI under tini, serve by default, with a health check on /readyz', () => {
    const text = instructions();
    expect(text).toContain('ENTRYPOINT ["/usr/bin/tini", "-s", "--", "node", "dist/cli/main.js"]');
    expect(text[text.length - 1]).toBe('CMD ["serve"]');
    const health = text.filter((l) => l.startsWith('HEALTHCHECK --'));
    expect(health).toHaveLength(1);
    expect(health[0]).toContain('/readyz');
    expect(health[0]).not.toContain('/healthz');
  });
});
