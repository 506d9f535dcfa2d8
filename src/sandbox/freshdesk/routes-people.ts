import { pathId, queryParam } from './body-reader';
import { notFound } from './errors';
import { pageOf, readPage } from './pagination';
import { API, type FreshdeskRoutes } from './routes-context';
import { agentWire, companyWire, contactWire, groupWire } from './wire';

/** Agents, contacts, companies and groups: read-only, as helpdesk-sync and the demo use them. */
export function registerPeopleRoutes(routes: FreshdeskRoutes): void {
  const { http, state } = routes;

  // Registered before /agents/:id so "me" is not read as an id.
  http.route('GET', `${API}/agents/me`, ({ actor }) => {
    const agent = state.agents.get(Number(actor));
    if (!agent) throw notFound();
    return agentWire(agent);
  });

  http.route('GET', `${API}/agents`, ({ req, res }) => {
    const email = queryParam(req, 'email');
    const agents = [...state.agents.values()].filter((a) => email === undefined || a.email.toLowerCase() === email.toLowerCase());
    return pageOf(req, res, agents, readPage(req)).map(agentWire);
  });

  http.route('GET', `${API}/agents/:id`, ({ req }) => {
    const id = pathId(req);
    const agent = id === null ? undefined : state.agents.get(id);
    if (!agent) throw notFound();
    return agentWire(agent);
  });

  http.route('GET', `${API}/contacts`, ({ req, res }) => {
    const email = queryParam(req, 'email');
    const companyId = queryParam(req, 'company_id');
    const contacts = [...state.contacts.values()].filter(
      (c) => (email === undefined || c.email.toLowerCase() === email.toLowerCase()) && (companyId === undefined || String(c.companyId) === companyId),
    );
    return pageOf(req, res, contacts, readPage(req)).map(contactWire);
  });

  http.route('GET', `${API}/contacts/:id`, ({ req }) => {
    const id = pathId(req);
    const contact = id === null ? undefined : state.contacts.get(id);
    if (!contact) throw notFound();
    return contactWire(contact);
  });

  http.route('GET', `${API}/companies`, ({ req, res }) => pageOf(req, res, [...state.companies.values()], readPage(req)).map(companyWire));

  http.route('GET', `${API}/companies/:id`, ({ req }) => {
    const id = pathId(req);
    const company = id === null ? undefined : state.companies.get(id);
    if (!company) throw notFound();
    return companyWire(company);
  });

  const members = (groupId: number) => [...state.agents.values()].filter((a) => a.groupIds.includes(groupId)).map((a) => a.id);

  http.route('GET', `${API}/groups`, ({ req, res }) => pageOf(req, res, [...state.groups.values()], readPage(req)).map((g) => groupWire(g, members(g.id))));

  http.route('GET', `${API}/groups/:id`, ({ req }) => {
    const id = pathId(req);
    const group = id === null ? undefined : state.groups.get(id);
    if (!group) throw notFound();
    return groupWire(group, members(group.id));
  });
}
