import { SandboxClock } from '../../../src/sandbox/core/clock';
import { FreshdeskSandbox } from '../../../src/sandbox/freshdesk';
import { FRESHDESK_AGENTS, FRESHDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import { call, clientFor, createTicket, obj } from './helpers';

const HOUR = 3_600_000;
const sam = FRESHDESK_AGENTS.samOrtiz;

let sandbox: FreshdeskSandbox;
let base: string;
let clock: SandboxClock;

beforeEach(async () => {
  clock = new SandboxClock();
  sandbox = new FreshdeskSandbox({ clock, webhookRetryDelayMs: 1 });
  base = await sandbox.listen(0);
});
afterEach(async () => {
  await sandbox.close();
});

const read = async (id: number) => obj(await call(base, sam.apiKey, 'GET', `/api/v2/tickets/${id}`));
const hoursAfterCreation = (t: Record<string, unknown>, field: string) => (Date.parse(String(t[field])) - Date.parse(String(t.created_at))) / HOUR;

describe('Freshdesk sandbox: SLA due times', () => {
  it.each([
    [4, 1, 4],
    [3, 4, 24],
    [2, 8, 72],
    [1, 24, 120],
  ])('priority %i: first response due in %ih, resolution in %ih from creation', async (priority, fr, resolution) => {
    const id = await createTicket(base, sam.apiKey, { email: FRESHDESK_REQUESTERS.ana.email, priority, status: 2 });
    const t = await read(id);
    expect(hoursAfterCreation(t, 'fr_due_by')).toBe(fr);
    expect(hoursAfterCreation(t, 'due_by')).toBe(resolution);
    expect(t).toMatchObject({ fr_escalated: false, is_escalated: false });
  });

  it('recomputes them from creation when the priority changes', async () => {
    const id = await createTicket(base, sam.apiKey, { email: FRESHDESK_REQUESTERS.ana.email, priority: 1, status: 2 });
    clock.advance(HOUR);
    await call(base, sam.apiKey, 'PUT', `/api/v2/tickets/${id}`, { priority: 4 });
    const t = await read(id);
    expect(hoursAfterCreation(t, 'fr_due_by')).toBe(1);
    expect(hoursAfterCreation(t, 'due_by')).toBe(4);
  });

  it('fr_escalated and is_escalated follow the sandbox clock, and stay set once missed', async () => {
    const id = await createTicket(base, sam.apiKey, { email: FRESHDESK_REQUESTERS.ana.email, priority: 4, status: 2 });
    clock.advance(2 * HOUR);
    expect(await read(id)).toMatchObject({ fr_escalated: true, is_escalated: false });
    await call(base, sam.apiKey, 'POST', `/api/v2/tickets/${id}/reply`, { body: '<p>Sorry for the wait.</p>' });
    expect(await read(id)).toMatchObject({ fr_escalated: true, is_escalated: false });
    clock.advance(3 * HOUR);
    expect(await read(id)).toMatchObject({ fr_escalated: true, is_escalated: true });

    const answered = await createTicket(base, sam.apiKey, { email: FRESHDESK_REQUESTERS.ana.email, priority: 4, status: 2 });
    await call(base, sam.apiKey, 'POST', `/api/v2/tickets/${answered}/reply`, { body: '<p>On it.</p>' });
    await call(base, sam.apiKey, 'PUT', `/api/v2/tickets/${answered}`, { status: 4 });
    clock.advance(10 * HOUR);
    expect(await read(answered)).toMatchObject({ fr_escalated: false, is_escalated: false });
  });

  it('our FreshdeskClient maps them into helpdeskSla', async () => {
    const id = await createTicket(base, sam.apiKey, { email: FRESHDESK_REQUESTERS.ana.email, priority: 3, status: 2 });
    const created = Date.parse(sandbox.ticket(id)?.createdAt ?? '');
    const ticket = await clientFor(base).getTicket(String(id));
    expect(ticket.helpdeskSla).toEqual({
      firstResponse: { dueAt: new Date(created + 4 * HOUR).toISOString(), stage: null },
      resolution: { dueAt: new Date(created + 24 * HOUR).toISOString(), stage: null },
    });
  });
});
