import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { policySchema } from '../../src/config/schema';
import { diffTicket } from '../../src/domain/diff';
import type { Person, Ticket, TicketComment } from '../../src/domain/ticket';
import { auditDecisions, evaluate } from '../../src/policy/engine';
import { resolveRoles } from '../../src/policy/roles';
import type { Directory, EarlierTicket, PolicyAction, PolicyInput, PolicyResult, PolicySettings, RuleMode } from '../../src/policy/types';
import type { Decision, Handoff, TicketOwner } from '../../src/store/types';
import {
  FRESHDESK_AGENTS,
  FRESHDESK_COMPANIES,
  FRESHDESK_GROUPS,
  FRESHDESK_REQUESTERS,
  ZENDESK_AGENTS,
  ZENDESK_GROUPS,
  ZENDESK_ORGANIZATIONS,
  ZENDESK_REQUESTERS,
  type SeedAgent,
  type SeedRequester,
} from '../../src/sandbox/seed-people';

const id = (n: number): string => String(n);

export const FD = {
  clientSuccess: id(FRESHDESK_GROUPS.clientSuccess.id),
  appSupport: id(FRESHDESK_GROUPS.appSupport.id),
  csManagement: id(FRESHDESK_GROUPS.csManagement.id),
  experts: id(FRESHDESK_GROUPS.experts.id),
};
export const ZD = {
  tier1: id(ZENDESK_GROUPS.aegentTier1.id),
  tier2: id(ZENDESK_GROUPS.tier2.id),
  management: id(ZENDESK_GROUPS.meiManagement.id),
};

function agent(a: SeedAgent): Person {
  return { id: id(a.id), name: a.name, email: a.email, role: 'agent', organisationId: null };
}
function requester(r: SeedRequester): Person {
  return { id: id(r.id), name: r.name, email: r.email, role: 'end-user', organisationId: r.organisationId === null ? null : id(r.organisationId) };
}

/** The Freshdesk ladder's people. */
export const fd = {
  integration: agent(FRESHDESK_AGENTS.integration),
  sam: agent(FRESHDESK_AGENTS.samOrtiz),
  nadia: agent(FRESHDESK_AGENTS.nadiaBrooks),
  alex: agent(FRESHDESK_AGENTS.alexChen),
  zac: agent(FRESHDESK_AGENTS.zacWarren),
  heather: agent(FRESHDESK_AGENTS.heather),
  tracey: agent(FRESHDESK_AGENTS.tracey),
  ana: requester(FRESHDESK_REQUESTERS.ana),
  raj: requester(FRESHDESK_REQUESTERS.raj),
  jo: requester(FRESHDESK_REQUESTERS.freeMail),
};

/** The Zendesk handoff's people. */
export const zd = {
  integration: agent(ZENDESK_AGENTS.integration),
  dana: agent(ZENDESK_AGENTS.danaFox),
  omar: agent(ZENDESK_AGENTS.omarHaddad),
  li: agent(ZENDESK_AGENTS.liWei),
  maya: agent(ZENDESK_AGENTS.mayaPatel),
  kim: agent(ZENDESK_AGENTS.kimManager),
  maria: requester(ZENDESK_REQUESTERS.maria),
  tom: requester(ZENDESK_REQUESTERS.tom),
  pat: requester(ZENDESK_REQUESTERS.freeMail),
};

export const northwind = { id: id(FRESHDESK_COMPANIES.northwind.id), name: FRESHDESK_COMPANIES.northwind.name, domains: [...FRESHDESK_COMPANIES.northwind.domains] };
export const ycdsb = { id: id(ZENDESK_ORGANIZATIONS.ycdsb.id), name: ZENDESK_ORGANIZATIONS.ycdsb.name, domains: [...ZENDESK_ORGANIZATIONS.ycdsb.domains] };
export const managingEnergy = { id: id(ZENDESK_ORGANIZATIONS.managingEnergy.id), name: ZENDESK_ORGANIZATIONS.managingEnergy.name, domains: [...ZENDESK_ORGANIZATIONS.managingEnergy.domains] };

/** What the worker would know from the vendors' agent and group lists. */
export function directoryOf(vendor: 'freshdesk' | 'zendesk'): Directory {
  const agents: SeedAgent[] = Object.values(vendor === 'freshdesk' ? FRESHDESK_AGENTS : ZENDESK_AGENTS);
  const groups = Object.values(vendor === 'freshdesk' ? FRESHDESK_GROUPS : ZENDESK_GROUPS);
  return {
    people: Object.fromEntries(agents.map((a) => [id(a.id), { name: a.name, groupIds: a.groupIds.map(id) }])),
    groups: Object.fromEntries(groups.map((g) => [id(g.id), g.name])),
  };
}

/**
 * The shipped defaults plus the scenarios' roles: Freshdesk by config lists (manager and SMEs by
 * person, as the ladder names them), Zendesk by groups only (people classified by membership).
 */
export function settings(over: { modes?: Partial<Record<string, RuleMode>>; yaml?: Record<string, unknown> } = {}): PolicySettings {
  const file = path.join(__dirname, '..', '..', 'config', 'default.yaml');
  const yaml = parse(readFileSync(file, 'utf8')) as { policy: Record<string, unknown> };
  return policySchema.parse({
    ...yaml.policy,
    roles: {
      'freshdesk/default': {
        frontlineGroups: [FRESHDESK_GROUPS.clientSuccess.id],
        firstEscalationGroup: FRESHDESK_GROUPS.appSupport.id,
        managerGroups: [FRESHDESK_GROUPS.csManagement.id],
        managerAgents: [FRESHDESK_AGENTS.zacWarren.id],
        smeAgents: [FRESHDESK_AGENTS.heather.id, FRESHDESK_AGENTS.tracey.id],
        integrationUserIds: [FRESHDESK_AGENTS.integration.id],
        supportedOrganisations: [{ id: FRESHDESK_COMPANIES.northwind.id, domains: ['northwind.example'] }],
      },
      'zendesk/default': {
        frontlineGroups: [ZENDESK_GROUPS.aegentTier1.id],
        tier2Group: ZENDESK_GROUPS.tier2.id,
        managerGroups: [ZENDESK_GROUPS.meiManagement.id],
        integrationUserIds: [ZENDESK_AGENTS.integration.id],
        supportedOrganisations: [{ id: ZENDESK_ORGANIZATIONS.ycdsb.id, domains: ['ycdsb.on.ca'] }],
      },
    },
    modes: { ...(yaml.policy.modes as Record<string, string>), ...over.modes },
    ...over.yaml,
  });
}

let commentSeq = 1000;

export function comment(author: Person, at: string, text: string, isPublic = false): TicketComment {
  commentSeq += 1;
  return {
    id: String(commentSeq),
    authorId: author.id,
    author,
    public: isPublic,
    incoming: author.role === 'end-user',
    bodyText: text,
    bodyHtml: `<p>${text}</p>`,
    createdAt: at,
  };
}

export const T0 = '2024-05-06T09:00:00Z';

/** A Freshdesk ticket from Ana (Northwind) in Client Success, unassigned. */
export function fdTicket(over: Partial<Ticket> = {}): Ticket {
  return {
    vendor: 'freshdesk',
    connectionId: 'default',
    id: '2301',
    url: 'https://acme.freshdesk.com/a/tickets/2301',
    subject: 'Invoice export fails with a timeout',
    descriptionText: 'The invoice export times out after 60 seconds.',
    descriptionHtml: '<p>The invoice export times out after 60 seconds.</p>',
    status: 'open',
    vendorStatus: '2',
    priority: 'normal',
    type: 'Problem',
    groupId: FD.clientSuccess,
    assigneeId: null,
    requester: fd.ana,
    organisation: northwind,
    tags: [],
    customFields: {},
    createdAt: T0,
    updatedAt: T0,
    comments: [],
    ...over,
  };
}

/** A Zendesk ticket from Maria (YCDSB) in Aegent's Tier 1 group, unassigned. */
export function zdTicket(over: Partial<Ticket> = {}): Ticket {
  const description = comment(zd.maria, T0, 'Energy dashboard shows no data for the Main St school since Monday.', true);
  return {
    vendor: 'zendesk',
    connectionId: 'default',
    id: '7741',
    url: 'https://mei.zendesk.com/agent/tickets/7741',
    subject: 'Dashboard shows no data for Main St school',
    descriptionText: description.bodyText,
    descriptionHtml: description.bodyHtml,
    status: 'open',
    vendorStatus: 'open',
    priority: 'normal',
    type: 'problem',
    groupId: ZD.tier1,
    assigneeId: null,
    requester: zd.maria,
    organisation: ycdsb,
    tags: [],
    customFields: {},
    createdAt: T0,
    updatedAt: T0,
    comments: [description],
    ...over,
  };
}

export function minutesAfter(iso: string, minutes: number): string {
  return new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();
}

export interface History {
  owner: TicketOwner | null;
  handoffs: Handoff[];
  decisions: Decision[];
}

export interface EvalOptions {
  previous?: Ticket | null;
  actorId?: string | null;
  now?: string;
  history?: Partial<History>;
  settings?: PolicySettings;
  recent?: EarlierTicket[];
  directory?: Directory | null;
}

/** One pure evaluation, with the scenarios' directory unless told otherwise. */
export function run(ticket: Ticket, opts: EvalOptions = {}): PolicyResult {
  const s = opts.settings ?? settings();
  const previous = opts.previous === undefined ? null : opts.previous;
  const input: PolicyInput = {
    ticket,
    previous,
    changes: diffTicket(previous, ticket),
    history: { owner: null, handoffs: [], decisions: [], ...opts.history },
    roles: resolveRoles(s, ticket.vendor, ticket.connectionId),
    settings: s,
    actorId: opts.actorId ?? null,
    now: new Date(opts.now ?? ticket.updatedAt),
    recentTicketsOfRequester: opts.recent,
    directory: opts.directory === null ? undefined : (opts.directory ?? directoryOf(ticket.vendor)),
  };
  return evaluate(input);
}

export function owner(ticket: Ticket, person: Person, groupId: string, at = T0): TicketOwner {
  return { ticket: { vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id }, ownerId: person.id, ownerGroupId: groupId, since: new Date(at), claimedAt: null };
}

export function handoff(ticket: Ticket, h: Omit<Handoff, 'ticket' | 'at' | 'actorId' | 'commentId'> & { at: string; actorId?: string | null }): Handoff {
  return { ticket: { vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id }, commentId: null, ...h, actorId: h.actorId ?? null, at: new Date(h.at) };
}

export function decisionsOf(result: PolicyResult, rule: string): PolicyResult['decisions'] {
  return result.decisions.filter((d) => d.ruleId === rule);
}

export function only(result: PolicyResult, rule: string): PolicyResult['decisions'][number] {
  const found = decisionsOf(result, rule);
  if (found.length !== 1) throw new Error(`expected one ${rule} decision, got ${found.length}: ${JSON.stringify(result.decisions.map((d) => d.summary))}`);
  return found[0] as PolicyResult['decisions'][number];
}

export function kinds(actions: readonly PolicyAction[]): string[] {
  return actions.map((a) => a.kind);
}

/**
 * Replays a ticket's life through the pure engine as the worker would: each step is a new
 * vendor state; the result's owner, handoffs and decisions are kept; the actions can be
 * applied as helpdesk-sync's own write, whose echo is then fed back (M5).
 */
export class Replay {
  ticket: Ticket;
  previous: Ticket | null = null;
  history: History = { owner: null, handoffs: [], decisions: [] };
  results: PolicyResult[] = [];
  private clock: string;

  constructor(
    initial: Ticket,
    private readonly opts: { settings?: PolicySettings; integration: Person },
  ) {
    this.ticket = initial;
    this.clock = initial.updatedAt;
  }

  /** The vendor time of the last state; comments of the next step use minutesAfter(now, n). */
  get now(): string {
    return this.clock;
  }

  /** The creation event: no earlier snapshot. */
  create(actor: Person | null = null): PolicyResult {
    return this.feed(this.ticket, actor?.id ?? null, this.clock);
  }

  /** The next vendor state, `minutes` after the last, changed by `actor`. */
  step(minutes: number, actor: Person | null, change: (t: Ticket) => Partial<Ticket>, now?: string): PolicyResult {
    this.clock = minutesAfter(this.clock, minutes);
    const next: Ticket = { ...this.ticket, ...change(this.ticket), updatedAt: this.clock };
    return this.feed(next, actor?.id ?? null, now ?? this.clock);
  }

  /** The scheduled re-evaluation with no change (E3's consult window). */
  tick(now: string): PolicyResult {
    return this.feed(this.ticket, null, now);
  }

  private feed(next: Ticket, actorId: string | null, now: string): PolicyResult {
    const result = run(next, { previous: this.previous ?? null, actorId, now, history: this.history, settings: this.opts.settings });
    this.previous = next;
    this.ticket = next;
    this.record(result, now);
    return result;
  }

  private record(result: PolicyResult, now: string): void {
    if (result.ownerUpdate) this.history.owner = result.ownerUpdate;
    this.history.handoffs = [...this.history.handoffs, ...result.handoffs];
    this.history.decisions = [...this.history.decisions, ...auditDecisions(result, new Date(now), this.results.length + 1)];
    this.results.push(result);
  }

  /** The executor runs the actions as the integration user; the vendor's echo comes back. */
  applyActions(result: PolicyResult, minutes = 1): PolicyResult | null {
    const actions = result.decisions.flatMap((d) => d.actions);
    if (actions.length === 0) return null;
    const by = this.opts.integration;
    return this.step(minutes, by, (t) => {
      let next: Ticket = { ...t, tags: [...t.tags], comments: [...t.comments] };
      for (const a of actions) {
        switch (a.kind) {
          case 'privateNote':
            next.comments.push({ ...comment(by, minutesAfter(this.clock, minutes), a.html.replace(/<[^>]+>/g, ' ')), bodyHtml: a.html });
            break;
          case 'reassign':
            next = { ...next, groupId: a.groupId, assigneeId: a.assigneeId };
            break;
          case 'clearAssignee':
            next = { ...next, assigneeId: null };
            break;
          case 'addTag':
            if (!next.tags.includes(a.tag)) next.tags.push(a.tag);
            break;
          case 'removeTag':
            next.tags = next.tags.filter((x) => x !== a.tag);
            break;
          case 'setOrganisation':
            next = { ...next, organisation: { id: a.organisationId, name: a.organisationId, domains: [] } };
            break;
          case 'setPriority':
            next = { ...next, priority: a.priority };
            break;
        }
      }
      return next;
    });
  }
}
