import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { at } from '../mirror/fixtures';
import { decisionOf, issue, STATUS, ticket, trail } from '../audit/fixtures';
import { seedPair } from '../audit/seed';

/** `helpdesk-sync audit` as a lead or a scheduled check runs it: the real CLI on a real store file. */
const ROOT = path.join(__dirname, '..', '..');
let dir: string;
let dbFile: string;

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'audit', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: dbFile, LOG_LEVEL: 'error' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'hs-audit-cli-'));
  dbFile = path.join(dir, 'helpdesk-sync.db');
  const store = new SqliteStore(dbFile);
  const maria = ticket({ id: '7741', subject: 'Dashboard shows no data for Main St school', priority: 'high' });
  await seedPair(store, {
    ticket: maria,
    issue: issue({ status: STATUS.wip, priority: 'High' }),
    linkedAt: new Date(at(0)),
    handoffs: trail(maria, at(5), at(15)),
    decisions: [decisionOf(maria, 'H3', 'violation', at(20), 'Tier 2 agent Li Wei replied publicly to the requester')],
  });
  const fine = ticket({ id: '7760', subject: 'Export of the monthly report is slow', priority: 'high' });
  await seedPair(store, { ticket: fine, issue: issue({ id: '10060', key: 'SUP-22', status: STATUS.wip, priority: 'High' }), linkedAt: new Date(at(2)) });
  await store.close();
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('helpdesk-sync audit', () => {
  it('prints a table of every pair with its problems and a count', () => {
    const run = cli();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('zendesk/default #7741');
    expect(run.stdout).toContain('SUP-20');
    expect(run.stdout).toContain('H3 Tier 2 agent Li Wei replied publicly');
    expect(run.stdout).toContain('SUP-22');
    expect(run.stdout).toMatch(/2 linked pair\(s\), 1 with problems\./);
  });

  it('--problems shows only what needs attention; --format json is one JSON array', () => {
    const run = cli('--problems', '--format', 'json');
    expect(run.status).toBe(0);
    const pairs = JSON.parse(run.stdout) as Array<{ ticket: { id: string }; problems: Array<{ ruleId: string }> }>;
    expect(pairs.map((p) => p.ticket.id)).toEqual(['7741']);
    expect(pairs[0]?.problems.map((p) => p.ruleId)).toEqual(['H3']);
  });

  it('--format csv gives a header and a row per pair', () => {
    const run = cli('--format', 'csv');
    const lines = run.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^vendor,connection,ticket_id,/);
    expect(lines).toHaveLength(3);
  });

  it('--fail-on-problems exits 1 when any pair has a problem, 0 when the selection has none', () => {
    const failing = cli('--fail-on-problems');
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain('1 pair(s) need attention');
    expect(cli('--fail-on-problems', '--rule', 'E2').status).toBe(0);
  });

  it('refuses a bad option with exit 2 and says which', () => {
    const run = cli('--from', 'last tuesday');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--from: expected a date/);
  });
});
