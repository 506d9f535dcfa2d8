import type { FreshdeskSandbox } from '../../../src/sandbox/freshdesk';
import { SEEDED_TICKET_IDS } from '../../../src/sandbox/freshdesk';
import { FRESHDESK_AGENTS, FRESHDESK_COMPANIES, FRESHDESK_GROUPS, FRESHDESK_REQUESTERS } from '../../../src/sandbox/seed-people';
import { FreshdeskTicketSchema } from '../../../src/vendors/freshdesk/schemas';
import { call, clientFor, createTicket, list, obj, startSandbox } from './helpers';

const { samOrtiz, nadiaBrooks, alexChen } = FRESHDESK_AGENTS;
const { ana, raj } = FRESHDESK_REQUESTERS;

describe('Freshdesk sandbox REST API', () => {
  let sandbox: FreshdeskSandbox;
  let base: string;

  beforeEach(async () => {
    ({ sandbox, base } = await startSandbox());
  });
  afterEach(async () => {
    await sandbox.close();
  });

  describe('an agent creating a ticket', () => {
    it('creates a contact for an unknown email and links it to the company of its domain', async () => {
      const answer = await call(base, samOrtiz.apiKey, 'POST', '/api/v2/tickets', {
        email: 'lee.wong@contoso-health.example',
        name: 'Lee Wong',
        subject: 'Reports are empty',
        description: '<div>The <b>weekly</b> report is empty.</div>',
        priority: 3,
        type: 'Incident',
        tags: ['reports'],
        group_id: FRESHDESK_GROUPS.clientSuccess.id,
        responder_id: samOrtiz.id,
        custom_fields: { cf_jira_key: 'SUP-1' },
      });

      expect(answer.status).toBe(201);
      const ticket = obj(answer);
      const contact = sandbox.contactByEmail('lee.wong@contoso-health.example');
      expect(contact).toMatchObject({ name: 'Lee Wong', companyId: FRESHDESK_COMPANIES.contoso.id });
      expect(ticket).toMatchObject({
        id: SEEDED_TICKET_IDS[1] + 1,
        requester_id: contact!.id,
        company_id: FRESHDESK_COMPANIES.contoso.id,
        status: 2,
        priority: 3,
        source: 2,
        type: 'Incident',
        tags: ['reports'],
        description: '<div>The <b>weekly</b> report is empty.</div>',
        description_text: 'The weekly report is empty.',
        custom_fields: { cf_jira_key: 'SUP-1', cf_escalation_tier: null },
      });
      expect(FreshdeskTicketSchema.safeParse(ticket).success).toBe(true);

      const read = await clientFor(base).getTicket(String(ticket['id']));
      expect(read.organisation).toEqual({ id: String(FRESHDESK_COMPANIES.contoso.id), name: 'Contoso Health', domains: [] });
      expect(read.requester).toMatchObject({ name: 'Lee Wong', email: 'lee.wong@contoso-health.example' });
      const contactAnswer = obj(await call(base, samOrtiz.apiKey, 'GET', `/api/v2/contacts/${contact!.id}`));
      expect(contactAnswer).toMatchObject({ email: 'lee.wong@contoso-health.example', company_id: FRESHDESK_COMPANIES.contoso.id });
    });

    it('reuses a known contact, and leaves a free-mail requester without a company', async () => {
      const known = await createTicket(base, samOrtiz.apiKey, { email: raj.email });
      expect(sandbox.ticket(known)).toMatchObject({ requesterId: raj.id, companyId: FRESHDESK_COMPANIES.contoso.id });

      const contactsBefore = sandbox.state.contacts.size;
      const stranger = await createTicket(base, samOrtiz.apiKey, { email: 'kim.h@gmail.com' });
      expect(sandbox.state.contacts.size).toBe(contactsBefore + 1);
      expect(sandbox.ticket(stranger)).toMatchObject({ companyId: null });
      expect(sandbox.contactByEmail('kim.h@gmail.com')).toMatchObject({ name: 'kim.h', companyId: null });
    });

    it('refuses invalid fields with one error per field, creating nothing', async () => {
      const contactsBefore = sandbox.state.contacts.size;
      const answer = await call(base, samOrtiz.apiKey, 'POST', '/api/v2/tickets', {
        email: 'new@northwind.example',
        subject: 'x',
        description: 'y',
        status: 1,
        priority: 5,
        responder_id: ana.id,
        group_id: 1,
        colour: 'red',
      });

      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({
        description: 'Validation failed',
        errors: [
          { field: 'colour', message: 'Unexpected/invalid field in request', code: 'invalid_field' },
          { field: 'status', message: "It should be one of these values: '2,3,4,5,6,7'", code: 'invalid_value' },
          { field: 'priority', message: "It should be one of these values: '1,2,3,4'", code: 'invalid_value' },
          { field: 'group_id', message: 'There is no group matching the given group_id', code: 'invalid_value' },
          { field: 'responder_id', message: 'There is no agent matching the given responder_id', code: 'invalid_value' },
        ],
      });
      expect(sandbox.state.contacts.size).toBe(contactsBefore);
      expect(sandbox.state.tickets.size).toBe(SEEDED_TICKET_IDS.length);
    });

    it('asks for a requester when there is none, and accepts a custom status', async () => {
      const missing = await call(base, samOrtiz.apiKey, 'POST', '/api/v2/tickets', { subject: 'x', description: 'y' });
      expect(missing.status).toBe(400);
      expect(obj(missing)['errors']).toEqual([expect.objectContaining({ field: 'requester_id', code: 'missing_field' })]);

      const custom = await createTicket(base, samOrtiz.apiKey, { requester_id: ana.id, status: 6 });
      expect(sandbox.ticket(custom)!.status).toBe(6);
    });
  });

  describe('auth, errors and headers', () => {
    it('answers 401 in Freshdesk words for an unknown key, with the rate-limit and version headers', async () => {
      const answer = await call(base, 'not-a-key', 'GET', '/api/v2/tickets/1001');
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' });
      expect(answer.headers.get('x-freshdesk-api-version')).toBe('latest=v2; requested=v2');
      expect(answer.headers.get('x-ratelimit-total')).toBe('400');
    });

    it('counts rate-limit credits, an include costing one more', async () => {
      const first = await call(base, samOrtiz.apiKey, 'GET', '/api/v2/tickets/1001');
      const second = await call(base, samOrtiz.apiKey, 'GET', '/api/v2/tickets/1001?include=requester,company');
      expect(first.headers.get('x-ratelimit-used-currentrequest')).toBe('1');
      expect(second.headers.get('x-ratelimit-used-currentrequest')).toBe('3');
      expect(Number(first.headers.get('x-ratelimit-remaining')) - Number(second.headers.get('x-ratelimit-remaining'))).toBe(3);
    });

    it('answers a missing ticket and an unknown path with a bare 404', async () => {
      const missing = await call(base, samOrtiz.apiKey, 'GET', '/api/v2/tickets/999999');
      expect(missing.status).toBe(404);
      expect(missing.text).toBe('');
      const unknownPath = await call(base, samOrtiz.apiKey, 'GET', '/api/v2/nothing-here');
      expect(unknownPath.status).toBe(404);
      expect(unknownPath.headers.get('x-freshdesk-api-version')).toBe('latest=v2; requested=v2');
      expect(unknownPath.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
      expect((await call(base, samOrtiz.apiKey, 'POST', '/api/v2/tickets/999999/notes', { body: 'x' })).status).toBe(404);
    });

    it('answers a body that is not JSON with invalid_json, and another content type with 415', async () => {
      const auth = `Basic ${Buffer.from(`${samOrtiz.apiKey}:X`).toString('base64')}`;
      const broken = await fetch(`${base}/api/v2/tickets`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{"subject":' });
      expect(broken.status).toBe(400);
      expect(await broken.json()).toEqual({ code: 'invalid_json', message: 'Request body has invalid json format' });
      const form = await fetch(`${base}/api/v2/tickets`, { method: 'POST', headers: { authorization: auth, 'content-type': 'text/plain' }, body: 'subject=x' });
      expect(form.status).toBe(415);
      expect(await form.json()).toMatchObject({ code: 'invalid_content_type' });
    });

    it('refuses page 301 and per_page over 100 as validation errors', async () => {
      const wall = await call(base, samOrtiz.apiKey, 'GET', '/api/v2/tickets?page=301');
      expect(wall.status).toBe(400);
      expect(wall.json).toEqual({
        description: 'Validation failed',
        errors: [{ field: 'page', message: 'You cannot access tickets beyond the 300th page. Please provide a smaller page number.', code: 'invalid_value' }],
      });
      const big = await call(base, samOrtiz.apiKey, 'GET', '/api/v2/tickets?per_page=101');
      expect(big.status).toBe(400);
      expect(obj(big)['errors']).toEqual([expect.objectContaining({ field: 'per_page', code: 'invalid_value' })]);
    });
  });

  describe('reading', () => {
    it('embeds requester, company, stats and only the oldest ten conversations', async () => {
      const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email });
      for (let n = 0; n < 12; n += 1) await call(base, samOrtiz.apiKey, 'POST', `/api/v2/tickets/${id}/notes`, { body: `<p>n${n}</p>` });

      const ticket = obj(await call(base, samOrtiz.apiKey, 'GET', `/api/v2/tickets/${id}?include=requester,company,conversations,stats`));

      expect(ticket['requester']).toEqual({ id: ana.id, name: 'Ana Lima', email: ana.email, mobile: null, phone: null });
      expect(ticket['company']).toEqual({ id: FRESHDESK_COMPANIES.northwind.id, name: 'Northwind Traders' });
      const embedded = ticket['conversations'] as Record<string, unknown>[];
      expect(embedded.map((c) => c['body'])).toEqual(Array.from({ length: 10 }, (_, n) => `<p>n${n}</p>`));
      expect(ticket['stats']).toMatchObject({ first_responded_at: null, resolved_at: null });
    });

    it('lists tickets with a Link to the next page, and the description only on request', async () => {
      await createTicket(base, samOrtiz.apiKey, { email: ana.email });
      const first = await call(base, samOrtiz.apiKey, 'GET', '/api/v2/tickets?per_page=2&order_by=created_at&order_type=asc');
      const link = first.headers.get('link');
      expect(link).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/api\/v2\/tickets\?.*page=2.*>; rel="next"$/);
      expect(list(first).map((t) => t['id'])).toEqual([1001, 1002]);
      expect(list(first)[0]).not.toHaveProperty('description');

      const next = new URL(/<([^>]+)>/.exec(link!)![1]!);
      const second = await call(base, samOrtiz.apiKey, 'GET', `${next.pathname}${next.search}&include=description`);
      expect(second.headers.get('link')).toBeNull();
      expect(list(second)).toEqual([expect.objectContaining({ id: 1003, description: '<p>Something broke</p>' })]);
    });

    it('pages conversations oldest first with increasing ids', async () => {
      const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email });
      for (let n = 0; n < 5; n += 1) await call(base, samOrtiz.apiKey, 'POST', `/api/v2/tickets/${id}/notes`, { body: `<p>${n}</p>` });

      const page1 = await call(base, samOrtiz.apiKey, 'GET', `/api/v2/tickets/${id}/conversations?per_page=3&page=1`);
      const page2 = await call(base, samOrtiz.apiKey, 'GET', `/api/v2/tickets/${id}/conversations?per_page=3&page=2`);

      expect(page1.headers.get('link')).toContain('page=2');
      expect(page2.headers.get('link')).toBeNull();
      const all = [...list(page1), ...list(page2)];
      expect(all.map((c) => c['body'])).toEqual(['<p>0</p>', '<p>1</p>', '<p>2</p>', '<p>3</p>', '<p>4</p>']);
      const ids = all.map((c) => c['id'] as number);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(5);
    });

    it('serves agents, groups and companies', async () => {
      const agent = obj(await call(base, samOrtiz.apiKey, 'GET', `/api/v2/agents/${alexChen.id}`));
      expect(agent).toMatchObject({ id: alexChen.id, group_ids: [FRESHDESK_GROUPS.appSupport.id], contact: { name: 'Alex Chen', email: alexChen.email } });
      expect((await call(base, samOrtiz.apiKey, 'GET', `/api/v2/agents/${ana.id}`)).status).toBe(404);

      const groups = list(await call(base, samOrtiz.apiKey, 'GET', '/api/v2/groups'));
      expect(groups.map((g) => g['name'])).toEqual(['Client Success', 'App Support', 'CS Management', 'Subject Matter Experts']);
      expect(groups[0]).toMatchObject({ agent_ids: [samOrtiz.id, nadiaBrooks.id] });

      const company = obj(await call(base, samOrtiz.apiKey, 'GET', `/api/v2/companies/${FRESHDESK_COMPANIES.northwind.id}`));
      expect(company).toMatchObject({ name: 'Northwind Traders', domains: ['northwind.example'] });
    });
  });

  describe('changing a ticket', () => {
    it('replaces tags, clears the responder, and moves updated_at on every change', async () => {
      const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email, tags: ['a', 'b'], responder_id: samOrtiz.id });
      const stamps = [sandbox.ticket(id)!.updatedAt];

      const put = obj(await call(base, samOrtiz.apiKey, 'PUT', `/api/v2/tickets/${id}`, { tags: ['c'], responder_id: null, status: 4 }));
      stamps.push(sandbox.ticket(id)!.updatedAt);
      await call(base, samOrtiz.apiKey, 'POST', `/api/v2/tickets/${id}/notes`, { body: 'n' });
      stamps.push(sandbox.ticket(id)!.updatedAt);

      expect(put).toMatchObject({ tags: ['c'], responder_id: null, status: 4, updated_at: stamps[1] });
      expect(sandbox.ticket(id)!.stats.resolvedAt).toBe(stamps[1]);
      const times = stamps.map((s) => Date.parse(s));
      expect(times[1]).toBeGreaterThan(times[0]!);
      expect(times[2]).toBeGreaterThan(times[1]!);

      const unchanged = obj(await call(base, samOrtiz.apiKey, 'PUT', `/api/v2/tickets/${id}`, { tags: ['c'] }));
      expect(unchanged['updated_at']).toBe(stamps[2]);
    });

    it('plays a customer reply as an incoming note by the requester, and an agent reply as a public reply', async () => {
      const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email });

      const incoming = await call(base, samOrtiz.apiKey, 'POST', `/api/v2/tickets/${id}/notes`, {
        body: '<div>Still failing this morning.</div>',
        incoming: true,
        private: false,
        user_id: ana.id,
      });
      const reply = await call(base, nadiaBrooks.apiKey, 'POST', `/api/v2/tickets/${id}/reply`, { body: '<p>We are on it.</p>' });

      expect(incoming.status).toBe(201);
      expect(obj(incoming)).toMatchObject({ incoming: true, private: false, user_id: ana.id, source: 2, ticket_id: id, body_text: 'Still failing this morning.' });
      expect(reply.status).toBe(201);
      expect(obj(reply)).toMatchObject({ incoming: false, private: false, user_id: nadiaBrooks.id, source: 0, to_emails: [ana.email] });
      expect(sandbox.ticket(id)!.stats).toMatchObject({ requesterRespondedAt: expect.any(String), firstRespondedAt: expect.any(String) });

      const ticket = await clientFor(base).getTicket(String(id));
      expect(ticket.comments).toEqual([
        expect.objectContaining({ incoming: true, public: true, author: expect.objectContaining({ role: 'end-user', name: 'Ana Lima' }) }),
        expect.objectContaining({ incoming: false, public: true, author: expect.objectContaining({ role: 'agent', name: 'Nadia Brooks' }) }),
      ]);
    });

    it('refuses a reply written as a contact and a note without a body', async () => {
      const id = await createTicket(base, samOrtiz.apiKey, { email: ana.email });
      const reply = await call(base, samOrtiz.apiKey, 'POST', `/api/v2/tickets/${id}/reply`, { body: 'x', user_id: ana.id });
      const note = await call(base, samOrtiz.apiKey, 'POST', `/api/v2/tickets/${id}/notes`, { private: true });

      expect(reply.status).toBe(400);
      expect(obj(reply)['errors']).toEqual([{ field: 'user_id', message: 'There is no agent matching the given user_id', code: 'invalid_value' }]);
      expect(note.status).toBe(400);
      expect(obj(note)['errors']).toEqual([{ field: 'body', message: 'It should be a/an String', code: 'missing_field' }]);
      expect(sandbox.conversations(id)).toHaveLength(0);
    });
  });
});
