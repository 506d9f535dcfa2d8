import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { explainTicket, slaLines, ticketFacts } from '../../src/cli/explain';
import { parseGoal } from '../../src/sla/duration';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

describe('helpdesk-sync explain', () => {
  it('tells the owner, the handoff trail and every decision with its rule, oldest first', async () => {
    const store = new SqliteStore(':memory:');
    const ref = { vendor: 'zendesk' as const, connectionId: 'default', id: '5152' };
    const t = (m: number) => new Date(Date.UTC(2025, 0, 8, 10, m));
    await store.setOwner({ ticket: ref, ownerId: '8447388090495', ownerGroupId: '8447320466001', since: t(2), claimedAt: t(2) });
    await store.appendHandoff({ ticket: ref, at: t(10), actorId: '8447388090495', direction: 'escalate', fromGroupId: '8447320466001', toGroupId: '8447320466430', fromAssigneeId: '8447388090495', toAssigneeId: null, commentId: '9001' });
    await store.appendHandoff({ ticket: ref, at: t(20), actorId: '8447388090601', direction: 'handback', fromGroupId: '8447320466430', toGroupId: '8447320466001', fromAssigneeId: '8447388090601', toAssigneeId: '8447388090495', commentId: '9003' });
    await store.recordDecision({ ticket: ref, ruleId: 'H2', verdict: 'corrected', actorId: '8447388090495', at: t(10), summary: 'Escalated to a person; assignee cleared', actions: [{ kind: 'clearAssignee', idempotencyKey: 'k' }], eventId: 3 });
    await store.recordDecision({ ticket: ref, ruleId: 'H4', verdict: 'ok', actorId: '8447388090601', at: t(20), summary: 'Handed back to the owner', actions: [], eventId: 5 });
    await store.reserveLink(ref, 'default', t(21));
    await store.completeLink(ref, { issueId: '10023', issueKey: 'SUP-23', kind: 'bug', missing: ['impact'] }, t(21));

    const lines = await explainTicket(store, 'zendesk', 'default', '5152');
    expect(lines).toEqual([
      'zendesk ticket 5152 (connection default)',
      'Owner (E1): agent 8447388090495 of group 8447320466001, since 2025-01-08 10:02 UTC, claimed 2025-01-08 10:02 UTC',
      'Jira (J1/J4): SUP-23, still missing impact (J5)',
      '',
      'Service levels (S1-S3): not tracked yet (no event of this ticket processed since SLA tracking began)',
      '',
      'Handoff trail (H5): 2 handoff(s)',
      '  2025-01-08 10:10 UTC  escalated from 8447388090495 to group 8447320466430 by 8447388090495 (with comment 9001)',
      '  2025-01-08 10:20 UTC  handed back from 8447388090601 to agent 8447388090495 by 8447388090601 (with comment 9003)',
      '',
      'Decisions: 2',
      '  2025-01-08 10:10 UTC  H2  CORRECTED: Escalated to a person; assignee cleared (about 8447388090495)  [actions: clearAssignee]',
      '  2025-01-08 10:20 UTC  H4  ok: Handed back to the owner (about 8447388090601)',
    ]);
    await store.close();
  });

  it('says plainly when nothing is recorded', async () => {
    const store = new SqliteStore(':memory:');
    const lines = await explainTicket(store, 'freshdesk', 'default', '1');
    expect(lines.slice(1, 3)).toEqual(['Owner (E1): none recorded yet', 'Jira (J1/J4): no linked issue']);
    // A ticket the store never saw: the CLI exits 1 for it (below).
    expect((await ticketFacts(store, 'freshdesk', 'default', '1')).known).toBe(false);
    // A snapshot alone makes it known (an event of it was processed, no rule had anything to say).
    await store.saveSnapshot({ ref: { vendor: 'freshdesk', connectionId: 'default', id: '1' }, data: { id: '1' }, vendorUpdatedAt: '2025-01-08T14:25:00Z', savedAt: new Date(), deleted: false });
    expect((await ticketFacts(store, 'freshdesk', 'default', '1')).known).toBe(true);
    await store.close();
  });

  it('shows each SLA target, the escalation and the fix target (S1-S3)', () => {
    const lines = slaLines({
      history: { createdAt: '2026-12-04T09:00:00.000Z', statuses: [{ at: '2026-12-04T09:00:00.000Z', status: 'open' }], firstResponseAt: '2026-12-04T10:25:00.000Z', priority: 'urgent', basis: 'observed' },
      trackedSince: '2026-12-04T09:00:00.000Z',
      targets: [
        { target: 'first_response', source: 'ours', goal: parseGoal('1h'), stage: 'met_late', elapsedMs: 85 * 60_000, remainingMs: -25 * 60_000, dueAt: '2026-12-04T10:00:00.000Z', breachedAt: '2026-12-04T10:00:00.000Z', metAt: '2026-12-04T10:25:00.000Z' },
        { target: 'resolution', source: 'ours', goal: parseGoal('4h'), stage: 'running', elapsedMs: 90 * 60_000, remainingMs: 150 * 60_000, dueAt: '2026-12-04T13:00:00.000Z', breachedAt: null, metAt: null },
      ],
      computedAt: '2026-12-04T10:30:00.000Z',
      calendar: null,
      escalations: [{ target: 'first_response', escalated: true, at: '2026-12-04T10:05:00.000Z', dueAt: '2026-12-04T10:00:00.000Z', lateMs: 5 * 60_000, reassignedTo: '8447320466500' }],
      fix: { issueKey: 'SUP-42', issueId: '10042', jiraPriority: 'Highest', goal: parseGoal('2d'), dueAt: '2026-12-06T09:30:00.000Z', doneAt: null, markedAt: null },
    });
    expect(lines).toEqual([
      'Service levels (S1-S3): urgent priority, counted round the clock, as of 2026-12-04 10:30 UTC',
      '  first response 1h: met LATE, at 2026-12-04 10:25 UTC, due 2026-12-04 10:00 UTC',
      '  resolution 4h: running, due 2026-12-04 13:00 UTC, 2h 30m left',
      '  first response breach: escalated 2026-12-04 10:05 UTC (S2), 5m late, moved to group 8447320466500',
      '  fix target (S3) of SUP-42 (Highest, 2d): due 2026-12-06 09:30 UTC',
    ]);
  });
});

/** `helpdesk-sync explain` as a person runs it: the real CLI on a SQLite file seeded through the Store. */
describe('helpdesk-sync explain (the command)', () => {
  const ROOT = path.join(__dirname, '..', '..');
  let dir: string;
  let dbFile: string;
  const ref = { vendor: 'zendesk' as const, connectionId: 'default', id: '5158' };
  const t = (m: number) => new Date(Date.UTC(2025, 0, 8, 10, m));

  function cli(...args: string[]) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'explain', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: dbFile, LOG_LEVEL: 'error' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hs-explain-cli-'));
    dbFile = path.join(dir, 'helpdesk-sync.db');
    const store = new SqliteStore(dbFile);
    await store.saveSnapshot({ ref, data: { id: '5158', subject: 'Cannot login to mobile app' }, vendorUpdatedAt: '2025-01-08T10:20:00Z', savedAt: t(21), deleted: false });
    await store.setOwner({ ticket: ref, ownerId: '8447388090495', ownerGroupId: '8447320466001', since: t(2), claimedAt: t(2) });
    await store.appendHandoff({ ticket: ref, at: t(10), actorId: '8447388090495', direction: 'escalate', fromGroupId: '8447320466001', toGroupId: '8447320466430', fromAssigneeId: '8447388090495', toAssigneeId: null, commentId: '9001' });
    await store.recordDecision({ ticket: ref, ruleId: 'H2', verdict: 'corrected', actorId: '8447388090495', at: t(10), summary: 'Escalated to a person; assignee cleared', actions: [{ kind: 'clearAssignee', idempotencyKey: 'k' }], eventId: 3 });
    await store.close();
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells a known ticket\'s story, exit 0', () => {
    const run = cli('--vendor', 'zendesk', '--ticket', '5158');
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout.split('\n').slice(0, 2)).toEqual([
      'zendesk ticket 5158 (connection default)',
      'Owner (E1): agent 8447388090495 of group 8447320466001, since 2025-01-08 10:02 UTC, claimed 2025-01-08 10:02 UTC',
    ]);
    expect(run.stdout).toContain('  2025-01-08 10:10 UTC  H2  CORRECTED: Escalated to a person; assignee cleared (about 8447388090495)  [actions: clearAssignee]');
  });

  it('--json: one document with the owner, link, SLA, handoffs and decisions', () => {
    const run = cli('--vendor', 'zendesk', '--ticket', '5158', '--json');
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const facts = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(facts).toMatchObject({
      ticket: ref,
      known: true,
      owner: { ownerId: '8447388090495', ownerGroupId: '8447320466001' },
      link: null,
      sla: null,
      handoffs: [{ direction: 'escalate', toGroupId: '8447320466430', commentId: '9001' }],
      decisions: [{ ruleId: 'H2', verdict: 'corrected', summary: 'Escalated to a person; assignee cleared' }],
      snapshot: { savedAt: t(21).toISOString(), vendorUpdatedAt: '2025-01-08T10:20:00Z', deleted: false },
    });
    // The snapshot's data (the vendor's whole ticket) is not printed.
    expect(run.stdout).not.toContain('Cannot login to mobile app');
  });

  it('a ticket the store has never seen: exit 1, the reason on stderr, nothing on stdout (with --json too)', () => {
    for (const args of [['--vendor', 'zendesk', '--ticket', '515'], ['--vendor', 'zendesk', '--ticket', '5158', '--connection', 'partner-b', '--json']]) {
      const run = cli(...args);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^helpdesk-sync has no record of zendesk ticket (515|5158) on connection "(default|partner-b)": no snapshot, owner, Jira link, SLA record, handoff or decision\. Check --vendor, --connection and the ticket id/);
    }
    expect(cli('--vendor', 'jira', '--ticket', '5158').status).toBe(2);
  });
});
