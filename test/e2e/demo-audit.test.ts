import { runDemo, type DemoRun } from '../../src/sandbox/demo/run-demo';
import type { AuditPage, AuditPair, KnowledgeGapItem } from '../../src/audit/types';
import { configFile } from './stack';

/**
 * The audit (A1) of what the demo's scenarios leave, read as a CS lead's tools read it: over
 * HTTP with the token the demo prints. Every scenario's pair is there, the incomplete bug is
 * flagged, the Tier 2 public reply is a violation, the SLA breach shows, and the knowledge-gap
 * list names the escalated ticket solved without a root cause.
 */
describe('the audit of the demo', () => {
  let run: DemoRun;
  const lines: string[] = [];
  const TOKEN = 'demo-audit-token-Hq81xV';
  beforeAll(async () => {
    run = await runDemo({ once: true, port: 0, write: (l) => lines.push(l), env: { CONFIG_FILE: configFile(), AUDIT_TOKEN: TOKEN } });
  }, 120_000);
  afterAll(() => run?.stop());

  const get = async <T>(path: string, token: string | null = TOKEN): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${run.service.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) as T };
  };

  it('ends by printing the audit page address and its token', () => {
    expect(run.passed).toBe(true);
    expect(lines.join('\n')).toContain(`${run.service.url}/audit   (token ${TOKEN}`);
  });

  it("lists every scenario's pair", async () => {
    const page = await get<AuditPage>('/api/audit/links?limit=500');
    expect(page.status).toBe(200);
    const links = await run.service.store.listLinks();
    expect(links).toHaveLength(5);
    expect(page.body.items.map((p) => p.issue?.key).sort()).toEqual(links.map((l) => l.issueKey).sort());
    expect(page.body.next).toBeNull();
  });

  it('flags the bug still incomplete and shows the SLA breach on it (scenario e)', async () => {
    const page = await get<AuditPage>('/api/audit/links?problems=1');
    const incomplete = page.body.items.filter((p) => p.completeness.needsInfo);
    expect(incomplete).toHaveLength(1);
    const e = incomplete[0] as AuditPair;
    expect(e.completeness.missing).toEqual(['steps', 'impact', 'environment']);
    expect(e.issue?.labels).toContain('needs-info');
    expect(e.sla?.escalations).toEqual([expect.objectContaining({ target: 'first_response', escalated: true })]);
    expect(e.problems.map((x) => `${x.ruleId} ${x.code}`)).toEqual(expect.arrayContaining(['J5 incomplete', 'S2 sla_breach']));
  });

  it('lists the Tier 2 public reply as an H3 violation, with the note to the owner (scenario c)', async () => {
    const violations = await get<{ items: Array<{ ruleId: string; ticketId: string; actions: string[] }> }>('/api/audit/violations?rule=H3');
    expect(violations.body.items).toHaveLength(1);
    const h3 = violations.body.items[0];
    expect(h3?.actions).toEqual(['private note']);
    const pair = await get<AuditPair & { timeline: Array<{ ruleId: string | null }> }>(`/api/audit/links/zendesk/default/${h3?.ticketId}`);
    expect(pair.body.problems.map((x) => x.ruleId)).toContain('H3');
    expect(pair.body.trail.roundTrips).toBe(2);
    expect(pair.body.timeline.some((t) => t.ruleId === 'H3')).toBe(true);
  });

  it('lists the escalated ticket solved without a root cause as a knowledge gap (scenario c)', async () => {
    const gaps = await get<{ items: KnowledgeGapItem[] }>('/api/audit/knowledge-gaps');
    expect(gaps.body.items).toHaveLength(1);
    expect(gaps.body.items[0]).toMatchObject({ vendor: 'zendesk', missing: expect.arrayContaining(['rootCause']) });
    const h3 = await get<{ items: Array<{ ticketId: string }> }>('/api/audit/violations?rule=H3');
    expect(gaps.body.items[0]?.ticketId).toBe(h3.body.items[0]?.ticketId);
  });

  it('answers nobody without the token', async () => {
    expect((await get('/api/audit/links', null)).status).toBe(401);
    expect((await get('/api/audit/links', 'guess')).status).toBe(401);
  });
});
