/**
 * The people, groups and organisations of the escalation scenarios (docs/rules.md): the
 * Freshdesk ladder of Client Success, App Support and the CS Manager; Managing Energy's Zendesk
 * handoff from a channel partner's Tier 1 group to Tier 2; the SUP-20 "system is down"
 * incident in Jira. This is how the sandboxes seed them. Ids look like each vendor's (large
 * integers for Freshdesk and Zendesk, accountIds for Jira); every agent has their own API
 * credential, so a call made "as" an agent is attributed to them exactly as the real vendor
 * would.
 */

/**
 * Every sandbox credential spells out whose it is; none is, or resembles, a real vendor token.
 * Knowing it opens only the local emulator.
 */
export function sandboxCredential(vendor: 'fd' | 'zd' | 'jira', who: string): string {
  return `${vendor}-sandbox-credential-of-${who}`;
}

export interface SeedAgent {
  id: number;
  name: string;
  email: string;
  /** Credential: Freshdesk API key, Zendesk API token. */
  apiKey: string;
  groupIds: number[];
}

export interface SeedRequester {
  id: number;
  name: string;
  email: string;
  organisationId: number | null;
}

// ---- Freshdesk (the ladder): CS agents own tickets; App Support is the first escalation;
// Zac Warren is the CS Manager; Heather and Tracey are subject-matter experts.

export const FRESHDESK_GROUPS = {
  clientSuccess: { id: 43000612001, name: 'Client Success' },
  appSupport: { id: 43000612002, name: 'App Support' },
  csManagement: { id: 43000612003, name: 'CS Management' },
  experts: { id: 43000612004, name: 'Subject Matter Experts' },
} as const;

export const FRESHDESK_AGENTS = {
  integration: { id: 43009817000, name: 'helpdesk-sync', email: 'helpdesk-sync@acme.io', apiKey: sandboxCredential('fd', 'integration'), groupIds: [] },
  samOrtiz: { id: 43009817221, name: 'Sam Ortiz', email: 'sam.ortiz@acme.io', apiKey: sandboxCredential('fd', 'sam'), groupIds: [43000612001] },
  nadiaBrooks: { id: 43009817222, name: 'Nadia Brooks', email: 'nadia.brooks@acme.io', apiKey: sandboxCredential('fd', 'nadia'), groupIds: [43000612001] },
  alexChen: { id: 43009817301, name: 'Alex Chen', email: 'alex.chen@acme.io', apiKey: sandboxCredential('fd', 'alex'), groupIds: [43000612002] },
  zacWarren: { id: 43009817401, name: 'Zac Warren', email: 'zac.warren@acme.io', apiKey: sandboxCredential('fd', 'zac'), groupIds: [43000612003] },
  heather: { id: 43009817501, name: 'Heather Lane', email: 'heather.lane@acme.io', apiKey: sandboxCredential('fd', 'heather'), groupIds: [43000612004] },
  tracey: { id: 43009817502, name: 'Tracey Moss', email: 'tracey.moss@acme.io', apiKey: sandboxCredential('fd', 'tracey'), groupIds: [43000612004] },
} satisfies Record<string, SeedAgent>;

export const FRESHDESK_COMPANIES = {
  northwind: { id: 43000345678, name: 'Northwind Traders', domains: ['northwind.example'] },
  contoso: { id: 43000345679, name: 'Contoso Health', domains: ['contoso-health.example'] },
} as const;

export const FRESHDESK_REQUESTERS = {
  ana: { id: 43022118870, name: 'Ana Lima', email: 'ana@northwind.example', organisationId: 43000345678 },
  raj: { id: 43022118871, name: 'Raj Patel', email: 'raj.patel@contoso-health.example', organisationId: 43000345679 },
  freeMail: { id: 43022118872, name: 'Jo Smith', email: 'jo.smith1987@gmail.com', organisationId: null },
} satisfies Record<string, SeedRequester>;

// ---- Zendesk (the Tier 1 / Tier 2 handoff): the channel partner Aegent has a Tier 1 client
// support group; MEI's "Aegent Tier 2 Support" group is the escalation tier. End users belong
// to organisations by email domain.

export const ZENDESK_GROUPS = {
  aegentTier1: { id: 8447320466001, name: 'Aegent Client Support' },
  tier2: { id: 8447320466430, name: 'Aegent Tier 2 Support' },
  meiManagement: { id: 8447320466500, name: 'MEI Management' },
} as const;

export const ZENDESK_AGENTS = {
  integration: { id: 8447388090000, name: 'helpdesk-sync', email: 'helpdesk-sync@managingenergy.com', apiKey: sandboxCredential('zd', 'integration'), groupIds: [] },
  danaFox: { id: 8447388090495, name: 'Dana Fox', email: 'dana.fox@aegent.example', apiKey: sandboxCredential('zd', 'dana'), groupIds: [8447320466001] },
  omarHaddad: { id: 8447388090496, name: 'Omar Haddad', email: 'omar.haddad@aegent.example', apiKey: sandboxCredential('zd', 'omar'), groupIds: [8447320466001] },
  liWei: { id: 8447388090601, name: 'Li Wei', email: 'li.wei@managingenergy.com', apiKey: sandboxCredential('zd', 'li'), groupIds: [8447320466430] },
  mayaPatel: { id: 8447388090602, name: 'Maya Patel', email: 'maya.patel@managingenergy.com', apiKey: sandboxCredential('zd', 'maya'), groupIds: [8447320466430] },
  kimManager: { id: 8447388090701, name: 'Kim Dupont', email: 'kim.dupont@managingenergy.com', apiKey: sandboxCredential('zd', 'kim'), groupIds: [8447320466500] },
} satisfies Record<string, SeedAgent>;

export const ZENDESK_ORGANIZATIONS = {
  managingEnergy: { id: 8447346622462, name: 'Managing Energy Inc', domains: ['managingenergy.com'] },
  ycdsb: { id: 8447346622463, name: 'York Catholic District School Board', domains: ['ycdsb.on.ca'] },
} as const;

export const ZENDESK_REQUESTERS = {
  maria: { id: 8447388090494, name: 'Maria Keller', email: 'maria.keller@ycdsb.on.ca', organisationId: 8447346622463 },
  tom: { id: 8447388090497, name: 'Tom Becker', email: 'tom.becker@managingenergy.com', organisationId: 8447346622462 },
  freeMail: { id: 8447388090498, name: 'Pat Quinn', email: 'pat.quinn@hotmail.com', organisationId: null },
} satisfies Record<string, SeedRequester>;

// ---- Jira (bugs and requests raised from tickets; the SUP-20 incident): project SUP;
// engineers triage and fix.

export interface SeedJiraUser {
  accountId: string;
  displayName: string;
  email: string;
  apiToken: string;
}

export const JIRA_USERS = {
  integration: { accountId: '712020:5f0c1e2a-9b7d-4a61-8e3f-0c2d4b6a8e10', displayName: 'helpdesk-sync', email: 'helpdesk-sync@acme.io', apiToken: sandboxCredential('jira', 'integration') },
  priya: { accountId: '5b10a2844c20165700ede21g', displayName: 'Priya Singh', email: 'priya.singh@acme.io', apiToken: sandboxCredential('jira', 'priya') },
  tech1: { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Tomas Ek', email: 'tech1@hypertvx.com', apiToken: sandboxCredential('jira', 'tech1') },
} satisfies Record<string, SeedJiraUser>;

export const JIRA_PROJECT = { id: '10000', key: 'SUP', name: 'Support' } as const;
