import { ZENDESK_AGENTS, ZENDESK_GROUPS, ZENDESK_ORGANIZATIONS, ZENDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import { SEEDED_TICKETS, type ZendeskSandbox } from '../../../src/sandbox/zendesk';
import { api, basicAuth, createTicket, startSandbox } from './helpers';

const TIER1 = ZENDESK_GROUPS.aegentTier1.id;
const TIER2 = ZENDESK_GROUPS.tier2.id;
const DANA = ZENDESK_AGENTS.danaFox.id;
const OMAR = ZENDESK_AGENTS.omarHaddad.id;
const LI = ZENDESK_AGENTS.liWei.id;
const MAYA = ZENDESK_AGENTS.mayaPatel.id;
const TOM = ZENDESK_REQUESTERS.tom.id;
const MARIA = ZENDESK_REQUESTERS.maria.id;

let sandbox: ZendeskSandbox;
let url: string;

beforeEach(async () => {
  ({ sandbox, url } = await startSandbox());
});

afterEach(async () => {
  await sandbox.close();
});

const put = (agent: Parameters<typeof api>[1], id: number, ticket: Record<string, unknown>) => api(url, agent, 'PUT', `/api/v2/tickets/${id}.json`, { ticket });

describe('authentication', () => {
  it.each([
    ['a wrong token', basicAuth(ZENDESK_AGENTS.danaFox.email, 'nope')],
    ['another agent’s token', basicAuth(ZENDESK_AGENTS.danaFox.email, ZENDESK_AGENTS.liWei.apiKey)],
    ['no /token suffix', `Basic ${Buffer.from(`${ZENDESK_AGENTS.danaFox.email}:${ZENDESK_AGENTS.danaFox.apiKey}`).toString('base64')}`],
    ['an end user', basicAuth(ZENDESK_REQUESTERS.maria.email, 'anything')],
    ['no credentials', ''],
  ])('answers 401 for %s', async (_label, authorization) => {
    const res = await fetch(`${url}/api/v2/tickets/${SEEDED_TICKETS.dashboardNoData}.json`, { headers: authorization ? { authorization } : {} });
    expect(res.status).toBe(401);
    await expect(res.json()).resolves.toEqual({ error: "Couldn't authenticate you" });
  });

  it('accepts every seeded agent with their own token, whatever the email case', async () => {
    const a = ZENDESK_AGENTS.mayaPatel;
    const res = await fetch(`${url}/api/v2/users/me.json`, { headers: { authorization: basicAuth(a.email.toUpperCase(), a.apiKey) } });
    expect(res.status).toBe(200);
    await expect(res.json()).resolves.toMatchObject({ user: { id: MAYA, role: 'agent', default_group_id: TIER2 } });
  });
});

describe('creating tickets', () => {
  it('an agent creates a ticket for a new requester, who is placed in the organisation of their email domain', async () => {
    const res = await api(url, 'danaFox', 'POST', '/api/v2/tickets.json', {
      ticket: {
        subject: 'Boiler room sensor offline',
        comment: { body: 'Reported by phone.', public: true },
        requester: { name: 'Sam Rivera', email: 'Sam.Rivera@ycdsb.on.ca' },
        group_id: TIER1,
        priority: 'high',
        type: 'incident',
        tags: ['sensor', 'Phone Call'],
        custom_fields: [{ id: 360012345678, value: 'boiler' }],
      },
    });
    expect(res.status).toBe(201);
    const ticket = res.body.ticket as Record<string, unknown>;
    expect(ticket).toMatchObject({
      subject: 'Boiler room sensor offline',
      description: 'Reported by phone.',
      status: 'new',
      priority: 'high',
      type: 'incident',
      group_id: TIER1,
      assignee_id: null,
      submitter_id: DANA,
      organization_id: ZENDESK_ORGANIZATIONS.ycdsb.id,
      tags: ['sensor', 'phone', 'call'],
      custom_fields: [{ id: 360012345678, value: 'boiler' }],
      via: { channel: 'api' },
    });
    const requester = sandbox.user(Number(ticket.requester_id));
    expect(requester).toMatchObject({ name: 'Sam Rivera', email: 'sam.rivera@ycdsb.on.ca', role: 'end-user', organizationId: ZENDESK_ORGANIZATIONS.ycdsb.id });
    const audit = res.body.audit as { events: Array<{ type: string; author_id?: number; public?: boolean }> };
    expect(audit.events[0]).toMatchObject({ type: 'Comment', author_id: DANA, public: true });
    expect(audit.events.slice(1).every((e) => e.type === 'Create')).toBe(true);
  });

  it('a requester of an unknown domain gets no organisation, and a known email is reused', async () => {
    const unknown = await createTicket(url, 'omarHaddad', { comment: { body: 'hello' }, requester: { name: 'Lee', email: 'lee.park@yahoo.com' } });
    expect(sandbox.ticket(unknown)?.organizationId).toBeNull();
    expect(sandbox.ticket(unknown)?.subject).toBe('hello');

    const before = sandbox.state.users.size;
    const known = await createTicket(url, 'omarHaddad', { subject: 'Again', comment: { body: 'x' }, requester: { email: ZENDESK_REQUESTERS.tom.email } });
    expect(sandbox.ticket(known)).toMatchObject({ requesterId: TOM, organizationId: ZENDESK_ORGANIZATIONS.managingEnergy.id });
    expect(sandbox.state.users.size).toBe(before);
  });

  it('a ticket assigned at creation is open; without a comment it is refused with 422', async () => {
    const id = await createTicket(url, 'danaFox', { subject: 's', comment: { body: 'b' }, requester_id: MARIA, assignee_id: OMAR });
    expect(sandbox.ticket(id)).toMatchObject({ status: 'open', assigneeId: OMAR, groupId: TIER1 });

    const res = await api(url, 'danaFox', 'POST', '/api/v2/tickets.json', { ticket: { subject: 'no body', requester_id: MARIA } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { description: [{ description: 'Description: cannot be blank', error: 'InvalidValue' }] },
    });
  });

  it('refuses a body without the ticket key with 400', async () => {
    const res = await api(url, 'danaFox', 'POST', '/api/v2/tickets.json', { subject: 'flat' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('ParameterMissing');
  });
});

describe('group and assignee rules (H2, H4, H6 depend on them)', () => {
  const id = SEEDED_TICKETS.dashboardNoData; // Tier 1, assigned to Dana

  it('an assignee of another group alone moves the ticket to that assignee’s group', async () => {
    const res = await put('liWei', id, { assignee_id: LI });
    expect(res.status).toBe(200);
    expect(res.body.ticket).toMatchObject({ assignee_id: LI, group_id: TIER2 });
  });

  it('an assignee of the ticket’s group alone keeps the group (H6 claim)', async () => {
    const res = await put('omarHaddad', SEEDED_TICKETS.exportFails, { assignee_id: OMAR });
    expect(res.body.ticket).toMatchObject({ assignee_id: OMAR, group_id: TIER1, status: 'open' });
  });

  it('group and assignee together must agree, else 422 naming assignee_id', async () => {
    const res = await put('danaFox', id, { group_id: TIER2, assignee_id: OMAR });
    expect(res.status).toBe(422);
    expect(res.body.details?.assignee_id?.[0]?.description).toBe(`Assignee: ${OMAR} is not an agent in group Aegent Tier 2 Support`);
    expect(sandbox.ticket(id)).toMatchObject({ groupId: TIER1, assigneeId: DANA });

    const ok = await put('danaFox', id, { group_id: TIER2, assignee_id: MAYA });
    expect(ok.body.ticket).toMatchObject({ group_id: TIER2, assignee_id: MAYA });
  });

  it('a group alone clears an assignee who is not in it (H2 escalation) and keeps one who is', async () => {
    const escalated = await put('danaFox', id, { group_id: TIER2 });
    expect(escalated.body.ticket).toMatchObject({ group_id: TIER2, assignee_id: null });

    await put('liWei', id, { assignee_id: LI });
    const sameGroup = await put('liWei', id, { group_id: TIER2 });
    expect(sameGroup.body.ticket).toMatchObject({ group_id: TIER2, assignee_id: LI });
  });

  it('assignee null clears the assignee and keeps the group', async () => {
    const res = await put('danaFox', id, { assignee_id: null });
    expect(res.body.ticket).toMatchObject({ group_id: TIER1, assignee_id: null });
  });

  it('refuses end users, unknown groups and agents in no group as assignees', async () => {
    expect((await put('danaFox', id, { assignee_id: MARIA })).status).toBe(422);
    expect((await put('danaFox', id, { group_id: 42 })).body.details?.group_id?.[0]?.description).toBe('Group: 42 is invalid');
    expect((await put('danaFox', id, { assignee_id: ZENDESK_AGENTS.integration.id })).status).toBe(422);
    expect(sandbox.ticket(id)).toMatchObject({ groupId: TIER1, assigneeId: DANA });
  });
});

describe('updates', () => {
  const id = SEEDED_TICKETS.dashboardNoData;

  it('refuses invalid enums and any update to a closed ticket', async () => {
    expect((await put('danaFox', id, { status: 'done' })).body.details?.status?.[0]?.description).toBe('Status: done is not valid');
    expect((await put('danaFox', id, { priority: 'p1' })).status).toBe(422);
    expect((await put('danaFox', id, { status: 'closed' })).status).toBe(200);
    const res = await put('danaFox', id, { comment: { body: 'late', public: false } });
    expect(res.status).toBe(422);
    expect(res.body.details?.status?.[0]?.description).toBe('Status: closed prevents ticket update');
    expect((await api(url, 'danaFox', 'PUT', `/api/v2/tickets/${id}/tags.json`, { tags: ['x'] })).status).toBe(422);
  });

  it('only admins may post as another user; a requester reply reopens a pending ticket', async () => {
    const forbidden = await put('danaFox', id, { comment: { body: 'as Maria', author_id: MARIA } });
    expect(forbidden.status).toBe(403);

    await put('danaFox', id, { status: 'pending', comment: { body: 'Can you send a screenshot?' } });
    const reply = await put('integration', id, { comment: { body: 'Here it is.', author_id: MARIA, public: true } });
    expect(reply.status).toBe(200);
    expect(reply.body.ticket).toMatchObject({ status: 'open' });
    expect(sandbox.comments(id).at(-1)).toMatchObject({ authorId: MARIA, public: true, body: 'Here it is.' });
    expect(sandbox.audits(id).at(-1)?.authorId).toBe(MARIA);
  });

  it('updated_at advances and comment ids increase even when the clock stands still', async () => {
    const frozen = new Date('2025-01-08T14:25:30Z');
    await sandbox.close();
    ({ sandbox, url } = await startSandbox({ now: () => frozen }));
    const stamps: string[] = [];
    for (const body of ['one', 'two', 'three']) {
      const res = await put('danaFox', id, { comment: { body, public: false } });
      stamps.push(String(res.body.ticket?.updated_at));
    }
    const times = stamps.map((s) => Date.parse(s));
    expect(times[1]).toBeGreaterThan(times[0] ?? Infinity);
    expect(times[2]).toBeGreaterThan(times[1] ?? Infinity);
    expect(stamps.every((s) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(s))).toBe(true);
    const ids = sandbox.comments(id).map((c) => c.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('a no-op update answers the ticket without an audit and leaves updated_at alone', async () => {
    const before = sandbox.ticket(id)?.updatedAt;
    const res = await put('danaFox', id, { status: 'open', comment: { body: '  ' } });
    expect(res.status).toBe(200);
    expect(res.body.audit).toBeUndefined();
    expect(sandbox.ticket(id)?.updatedAt).toBe(before);
  });

  it('tags endpoints add, remove and replace, answering the tags', async () => {
    expect((await api(url, 'danaFox', 'PUT', `/api/v2/tickets/${id}/tags.json`, { tags: ['jira-bug'] })).body).toEqual({ tags: ['dashboard', 'jira-bug'] });
    expect((await api(url, 'danaFox', 'DELETE', `/api/v2/tickets/${id}/tags.json`, { tags: ['dashboard'] })).body).toEqual({ tags: ['jira-bug'] });
    expect((await api(url, 'danaFox', 'POST', `/api/v2/tickets/${id}/tags.json`, { tags: ['a', 'b'] })).body).toEqual({ tags: ['a', 'b'] });
    expect(sandbox.ticket(id)?.tags).toEqual(['a', 'b']);
  });

  it('answers 404 in Zendesk’s shape for unknown tickets, users and ids that are not numbers', async () => {
    for (const path of ['/api/v2/tickets/99999.json', '/api/v2/tickets/abc.json', '/api/v2/users/1.json', '/api/v2/organizations/1.json', '/api/v2/nothing']) {
      const res = await api(url, 'danaFox', 'GET', path);
      expect([path, res.status, res.body]).toEqual([path, 404, { error: 'RecordNotFound', description: 'Not found' }]);
    }
  });
});
