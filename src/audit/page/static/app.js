// helpdesk-sync: the CS leads' escalation audit (rule A1).
// One plain ES module, no framework and no build step. Every value from the API reaches the
// DOM through textContent or a validated attribute, never through innerHTML.

const TOKEN_KEY = 'helpdesk-sync.audit.token';
/** The API next to the page, relative so the page also works behind a proxy's path prefix. */
const API_BASE = new URL('api/audit/', document.baseURI);
const PAGE_SIZE = 50;
/** A filtered page may come back empty with a cursor: read on, at most this many pages a click. */
const MAX_EMPTY_PAGES = 10;

const VENDORS = { freshdesk: 'Freshdesk', zendesk: 'Zendesk' };
const STATUSES = { open: 'Open', pending: 'Pending', in_progress: 'In progress', on_hold: 'On hold', resolved: 'Resolved', closed: 'Closed' };
const VIEWS = ['pairs', 'gaps', 'violations'];
const VIEW_TITLES = { pairs: 'Linked pairs', gaps: 'Knowledge gaps', violations: 'Violations' };
const FILTER_KEYS = ['vendor', 'connection', 'status', 'rule', 'from', 'to', 'problems'];
/** Which filters each view sends. */
const VIEW_FILTERS = {
  pairs: FILTER_KEYS,
  gaps: ['vendor', 'connection'],
  violations: ['vendor', 'connection', 'rule', 'from', 'to'],
};
const PROBLEM_LABELS = {
  incomplete: 'needs info',
  drift: 'drift',
  sla_breach: 'SLA breach',
  fix_overdue: 'fix overdue',
  violation: 'violation',
  knowledge_gap: 'knowledge gap',
  raise_stuck: 'raise stuck',
  ticket_unseen: 'ticket unseen',
};
const PROBLEM_TONE = {
  incomplete: 'warn',
  drift: 'warn',
  sla_breach: 'bad',
  fix_overdue: 'bad',
  violation: 'bad',
  knowledge_gap: 'warn',
  raise_stuck: 'bad',
  ticket_unseen: 'warn',
};
const STAGE_LABELS = { breached: 'breached', met_late: 'met late', running: 'running', paused: 'paused', met: 'met' };
const STAGE_TONE = { breached: 'bad', met_late: 'warn', running: 'info', paused: 'plain', met: 'good' };
const VERDICT_TONE = { violation: 'bad', corrected: 'warn', ok: 'good', info: 'plain' };
const KNOWLEDGE_LABELS = { outcome: 'Outcome', rootCause: 'Root cause', missingDocs: 'Missing documentation' };
const SERIES = [
  { key: 'escalations', label: 'Escalations' },
  { key: 'violations', label: 'Violations' },
  { key: 'raised', label: 'Jira issues raised' },
];

// ---------------------------------------------------------------------------------------------
// DOM helpers

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page lacks #${id}`);
  return el;
};

/**
 * h('a', { href, class: 'x', onclick: fn }, 'text', child): an element. Text children become
 * text nodes; null, undefined and false are skipped; arrays are flattened.
 */
function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'style' || name === 'innerHTML' || name === 'srcdoc') throw new Error(`h(): ${name} is not allowed`);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function clear(el) {
  el.replaceChildren();
  return el;
}

/** Only http(s) links from the data: a javascript: or data: URL is shown as text. */
function safeUrl(value) {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const url = new URL(value, document.baseURI);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** An external link (a ticket or an issue), or plain text when the URL is missing or unsafe. */
function outLink(url, text, label) {
  const href = safeUrl(url);
  if (!href) return h('span', null, text);
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer', 'aria-label': label ?? null }, text);
}

function badge(text, tone = 'plain', title) {
  return h('span', { class: `badge badge-${tone}`, title: title ?? null }, text);
}

const dash = () => h('span', { class: 'muted', 'aria-label': 'none' }, '—');

const vendorName = (vendor) => VENDORS[vendor] ?? vendor;
const statusName = (status) => (status ? STATUSES[status] ?? status : null);

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const longDayFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short', timeZone: 'UTC' });

/** A <time> in the reader's zone, the exact UTC instant in its title. */
function time(iso) {
  if (!iso) return dash();
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', null, iso);
  return h('time', { datetime: d.toISOString(), title: d.toISOString() }, dateTimeFormat.format(d));
}

const dayDate = (day) => new Date(`${day}T00:00:00Z`);
const isoDay = (d) => d.toISOString().slice(0, 10);
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// ---------------------------------------------------------------------------------------------
// The API

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

async function request(path, params, accept = 'application/json') {
  const url = new URL(path, API_BASE);
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  const headers = { Accept: accept };
  const bearer = token.get();
  // No stored token: the request goes without one, so a reverse proxy can add its own.
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let res;
  try {
    res = await fetch(url, { headers, credentials: 'same-origin', cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, `The server could not be reached (${err.message}).`);
  }
  if (res.ok) return res;
  let message = `The server answered ${res.status} ${res.statusText}.`;
  try {
    const body = await res.json();
    if (body && typeof body.error === 'string') message = body.error;
  } catch {
    // Not JSON: keep the status line.
  }
  throw new ApiError(res.status, message);
}

const getJson = async (path, params) => (await request(path, params)).json();

const pairPath = (vendor, connection, id) => ['links', vendor, connection, id].map(encodeURIComponent).join('/');

// ---------------------------------------------------------------------------------------------
// State: filters and view live in the query string, the open pair in the hash.

const state = {
  view: 'pairs',
  filters: {},
  pairs: [],
  pairsNext: null,
  violations: [],
  violationsNext: null,
  gaps: null,
  days: [],
  /** Bumped on every new query, so answers to an older one are dropped. */
  generation: 0,
  detailGeneration: 0,
  /** The element that opened the detail, to take the focus back. */
  opener: null,
  authorized: false,
};

function readLocation() {
  const q = new URLSearchParams(location.search);
  const filters = {};
  const vendor = q.get('vendor');
  if (vendor && vendor in VENDORS) filters.vendor = vendor;
  const connection = q.get('connection')?.trim();
  if (connection) filters.connection = connection;
  const status = q.get('status');
  if (status && status in STATUSES) filters.status = status;
  const rule = q.get('rule')?.trim().toUpperCase();
  if (rule && /^[A-Z]\d{1,2}$/.test(rule)) filters.rule = rule;
  for (const key of ['from', 'to']) {
    const v = q.get(key);
    if (v && /^\d{4}-\d{2}-\d{2}$/.test(v)) filters[key] = v;
  }
  if (q.get('problems') === '1') filters.problems = '1';
  state.filters = filters;
  const view = q.get('view');
  state.view = VIEWS.includes(view) ? view : 'pairs';
}

function locationFor(filters, view) {
  const q = new URLSearchParams();
  if (view !== 'pairs') q.set('view', view);
  for (const key of FILTER_KEYS) if (filters[key]) q.set(key, filters[key]);
  const search = q.toString();
  return `${location.pathname}${search ? `?${search}` : ''}${location.hash}`;
}

function filtersFor(view) {
  const out = {};
  for (const key of VIEW_FILTERS[view]) if (state.filters[key]) out[key] = state.filters[key];
  return out;
}

function parseHash() {
  const m = /^#pair\/([^/]+)\/([^/]+)\/(.+)$/.exec(location.hash);
  if (!m) return null;
  try {
    return { vendor: decodeURIComponent(m[1]), connection: decodeURIComponent(m[2]), id: decodeURIComponent(m[3]) };
  } catch {
    return null;
  }
}

const pairHash = (vendor, connection, id) => `#pair/${[vendor, connection, id].map(encodeURIComponent).join('/')}`;
const pairKey = (vendor, connection, id) => JSON.stringify([vendor, connection, id]);

// ---------------------------------------------------------------------------------------------
// Status, errors, sign in

/**
 * The live region. Progress and results of actions show; a list's summary (`quiet`) is only
 * announced, since the list's own heading shows the count.
 */
function say(text, { quiet = false } = {}) {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('visually-hidden', quiet);
}

function showError(text) {
  const el = $('error');
  if (!text) {
    el.hidden = true;
    el.textContent = '';
    return;
  }
  el.textContent = text;
  el.hidden = false;
}

/** The answer to any failed call: 401 asks for a token, 503 says how to set one up. */
function failed(err) {
  if (!(err instanceof ApiError)) {
    showError(`Something went wrong in the page: ${err.message}`);
    console.warn(err);
    return;
  }
  if (err.status === 401) {
    const refused = token.get() !== null;
    token.clear();
    showLogin(refused ? 'That token was refused. Check it and sign in again.' : null);
    return;
  }
  if (err.status === 503) {
    showUnconfigured(err.message);
    return;
  }
  showError(err.message);
  say('');
}

function showScreen(which) {
  $('login').hidden = which !== 'login';
  $('unconfigured').hidden = which !== 'unconfigured';
  $('app').hidden = which !== 'app';
  $('tabs').hidden = which !== 'app';
  $('sign-out').hidden = which !== 'app' || token.get() === null;
  if (which !== 'app') closeDetail({ keepHash: true, restoreFocus: false });
}

function showLogin(problem) {
  state.authorized = false;
  state.generation += 1;
  showScreen('login');
  showError(null);
  say(problem ? '' : 'Sign in to see the audit.');
  const p = $('login-problem');
  p.textContent = problem ?? '';
  p.hidden = !problem;
  const input = $('token');
  input.setAttribute('aria-invalid', problem ? 'true' : 'false');
  input.value = '';
  input.focus();
}

function showUnconfigured(message) {
  state.authorized = false;
  showScreen('unconfigured');
  showError(null);
  say('');
  $('unconfigured-message').textContent = message;
}

function signOut() {
  token.clear();
  state.pairs = [];
  state.violations = [];
  state.gaps = null;
  state.days = [];
  clear($('pairs-body'));
  clear($('gaps-body'));
  clear($('violations-body'));
  clear($('chart-body'));
  showLogin(null);
  say('Signed out.');
}

// ---------------------------------------------------------------------------------------------
// Loading

/** A new query: the chart and the current view's first page. */
async function reload() {
  const generation = ++state.generation;
  showError(null);
  say(`Loading ${VIEW_TITLES[state.view].toLowerCase()}…`);
  setBusy(true);
  try {
    if (state.view === 'pairs') {
      // The chart is a side dish: when only it fails, the table still shows.
      // Until a request has been let in, one at a time: a 401 is answered once, not twice.
      const ask = () => getJson('timeline', timelineParams()).catch((err) => err);
      const early = state.authorized ? ask() : null;
      const page = await fetchPairs(null);
      const timeline = await (early ?? ask());
      if (generation !== state.generation) return;
      if (timeline instanceof ApiError && (timeline.status === 401 || timeline.status === 503)) throw timeline;
      authorized();
      state.pairs = page.items;
      state.pairsNext = page.next;
      if (timeline instanceof Error) {
        state.days = [];
        lastTimeline = { days: [] };
        clear($('chart-legend'));
        clear($('chart-body')).append(h('div', { class: 'chart-empty' }, `The chart could not be drawn: ${timeline.message}`));
      } else {
        state.days = Array.isArray(timeline.days) ? timeline.days : [];
        renderChart(timeline);
      }
      renderPairs();
    } else if (state.view === 'gaps') {
      const body = await getJson('knowledge-gaps');
      if (generation !== state.generation) return;
      authorized();
      state.gaps = body.items;
      renderGaps();
    } else {
      const body = await getJson('violations', violationParams(null));
      if (generation !== state.generation) return;
      authorized();
      state.violations = body.items;
      state.violationsNext = body.next;
      renderViolations();
    }
  } catch (err) {
    if (generation === state.generation) failed(err);
  } finally {
    if (generation === state.generation) setBusy(false);
  }
}

function authorized() {
  if (state.authorized) return;
  state.authorized = true;
  const fromLogin = !$('login').hidden;
  showScreen('app');
  if (fromLogin) $('main').focus();
  routeHash();
}

function setBusy(busy) {
  for (const el of document.querySelectorAll('#filters button, .more button')) el.disabled = busy;
  $('app').setAttribute('aria-busy', busy ? 'true' : 'false');
}

function pairParams(cursor) {
  const f = filtersFor('pairs');
  return {
    vendor: f.vendor,
    connection: f.connection,
    status: f.status,
    rule: f.rule,
    from: f.from,
    to: f.to,
    problems: f.problems,
    cursor: cursor ?? undefined,
    limit: String(PAGE_SIZE),
  };
}

function timelineParams() {
  const f = filtersFor('pairs');
  return { vendor: f.vendor, connection: f.connection, from: f.from, to: f.to };
}

function violationParams(before) {
  const f = filtersFor('violations');
  return { vendor: f.vendor, connection: f.connection, rule: f.rule, from: f.from, to: f.to, before: before ?? undefined, limit: String(PAGE_SIZE) };
}

/** One page of pairs; a filtered page that matched nothing but has more behind it reads on. */
async function fetchPairs(cursor) {
  const items = [];
  let next = cursor;
  for (let pages = 0; pages < MAX_EMPTY_PAGES; pages += 1) {
    const page = await getJson('links', pairParams(next));
    items.push(...page.items);
    next = page.next;
    if (items.length > 0 || !next) break;
  }
  return { items, next };
}

async function morePairs() {
  const generation = state.generation;
  const button = $('pairs-more');
  button.disabled = true;
  say('Loading more pairs…');
  try {
    const page = await fetchPairs(state.pairsNext);
    if (generation !== state.generation) return;
    const first = state.pairs.length;
    state.pairs.push(...page.items);
    state.pairsNext = page.next;
    renderPairs();
    // The focus goes to the first new row's link, so a keyboard user reads on from there.
    const link = $('pairs-body').querySelectorAll('tr')[first]?.querySelector('a.pair-link');
    link?.focus();
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = false;
  }
}

async function moreViolations() {
  const generation = state.generation;
  const button = $('violations-more');
  button.disabled = true;
  say('Loading more violations…');
  try {
    const body = await getJson('violations', violationParams(state.violationsNext));
    if (generation !== state.generation) return;
    const first = state.violations.length;
    state.violations.push(...body.items);
    state.violationsNext = body.next;
    renderViolations();
    $('violations-body').querySelectorAll('tr')[first]?.querySelector('a')?.focus();
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = false;
  }
}

async function downloadCsv() {
  const button = $('csv');
  button.disabled = true;
  say('Preparing the CSV…');
  try {
    const { cursor: _cursor, limit: _limit, ...params } = pairParams(null);
    const res = await request('links.csv', params, 'text/csv');
    const blob = await res.blob();
    const disposition = res.headers.get('Content-Disposition') ?? '';
    const named = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
    const filename = named ? decodeURIComponent(named[1]) : `helpdesk-sync-audit-${isoDay(new Date())}.csv`;
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: filename, class: 'visually-hidden' }, 'download');
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    say(`Downloaded ${filename} (${Math.max(1, Math.round(blob.size / 1024))} KB).`);
  } catch (err) {
    failed(err);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// The pairs table

function renderPairs() {
  const body = clear($('pairs-body'));
  for (const pair of state.pairs) body.append(pairRow(pair));
  if (state.pairs.length === 0) {
    body.append(h('tr', null, h('td', { colspan: 9, class: 'empty' }, anyFilter() ? 'No linked pairs match these filters.' : 'No escalated ticket has been linked to Jira yet.')));
  }
  const withProblems = state.pairs.filter((p) => p.problems.length > 0).length;
  const count = `${plural(state.pairs.length, 'pair')}${state.pairsNext ? ' so far' : ''} · ${withProblems} with problems`;
  $('pairs-count').textContent = count;
  $('pairs-more').hidden = !state.pairsNext;
  say(`Showing ${count}.${state.pairsNext ? ' More are available.' : ''}`, { quiet: true });
  rememberChoices();
  markSelected();
}

function anyFilter() {
  return Object.keys(filtersFor(state.view)).length > 0;
}

function pairRow(p) {
  const t = p.ticket;
  const hash = pairHash(t.vendor, t.connectionId, t.id);
  const tr = h('tr', { 'data-key': pairKey(t.vendor, t.connectionId, t.id) });
  // A click anywhere on the row opens it; the keyboard way is the subject link.
  tr.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('a, button')) return;
    if (window.getSelection()?.toString()) return;
    openFromElement(tr.querySelector('a.pair-link'), hash);
  });
  const subject = t.subject ?? `(ticket ${t.id}, no snapshot kept)`;
  const ticketLine = [vendorName(t.vendor), ' ', outLink(t.url, `#${t.id}`, `Open ticket ${t.id} in ${vendorName(t.vendor)}`)];
  if (t.connectionId !== 'default') ticketLine.push(` · ${t.connectionId}`);
  tr.append(
    h('th', { scope: 'row' },
      h('a', { href: hash, class: 'pair-link cell-main', title: subject, onclick: (e) => openFromClick(e, hash) }, subject),
      h('span', { class: 'cell-sub' }, ticketLine),
    ),
    h('td', null, issueCell(p)),
    h('td', { class: 'nowrap' }, statusName(t.status) ?? dash(), vendorStatusNote(t) ? h('span', { class: 'cell-sub' }, vendorStatusNote(t)) : null),
    h('td', { class: 'nowrap' }, completenessCell(p.completeness)),
    h('td', { class: 'nowrap' }, slaCell(p.sla)),
    h('td', { class: 'nowrap' }, p.owner ? [p.owner.name ?? p.owner.id, p.owner.groupId ? h('span', { class: 'cell-sub' }, p.owner.groupName ?? `group ${p.owner.groupId}`) : null] : dash()),
    h('td', { class: 'num' }, String(p.trail.roundTrips)),
    h('td', { class: 'num' }, violationCount(p.violations)),
    h('td', null, problemBadges(p.problems)),
  );
  return tr;
}

/** The helpdesk's own status name when it says more than the canonical one (not a bare code). */
function vendorStatusNote(t) {
  const v = t.vendorStatus;
  if (!v || /^\d+$/.test(v) || v.toLowerCase() === (statusName(t.status) ?? '').toLowerCase()) return null;
  return v;
}

function issueCell(p) {
  if (!p.issue) return badge(p.link.state === 'creating' ? 'being raised' : 'no issue', 'warn', 'The link is reserved; the Jira issue is not created yet');
  const i = p.issue;
  return [
    h('span', { class: 'cell-main' }, outLink(i.url, i.key, `Open ${i.key} in Jira`)),
    h('span', { class: 'cell-sub' }, [i.status ?? 'status unknown', p.link.kind ? ` · ${p.link.kind}` : null]),
  ];
}

function completenessCell(c) {
  const total = c.sections.length;
  const present = c.sections.filter((x) => x.present).length;
  const missing = c.sections.filter((x) => !x.present).map((x) => x.title);
  const title = missing.length ? `Missing: ${missing.join(', ')}` : 'Every section present';
  const segments = h('span', { class: 'segments', 'aria-hidden': 'true' },
    c.sections.map((x) => h('span', { class: x.present ? 'on' : x.required ? 'req-missing' : null })),
  );
  return [
    h('span', { title }, segments, h('span', { class: 'visually-hidden' }, `${present} of ${total} sections present`), h('span', { 'aria-hidden': 'true' }, `${present}/${total}`)),
    c.needsInfo ? h('span', { class: 'cell-sub' }, badge('needs info', 'warn', `Required and missing: ${c.missing.join(', ')}`)) : null,
  ];
}

function slaCell(sla) {
  if (!sla || !sla.worst) return dash();
  return [
    badge(STAGE_LABELS[sla.worst] ?? sla.worst, STAGE_TONE[sla.worst] ?? 'plain', 'The worst stage of the ticket\'s SLA targets'),
    sla.fix?.overdue ? badge('fix overdue', 'bad', `${sla.fix.issueKey} is past its fix target`) : null,
  ];
}

function violationCount(violations) {
  if (violations.length === 0) return '0';
  const corrected = violations.filter((v) => v.verdict === 'corrected').length;
  const rules = [...new Set(violations.map((v) => v.ruleId))].join(', ');
  return h('span', { title: `${rules}${corrected ? `; ${corrected} corrected by helpdesk-sync` : ''}` }, String(violations.length));
}

function problemBadges(problems) {
  if (problems.length === 0) return h('span', { class: 'ok-text' }, 'none');
  return h('span', { class: 'badges' },
    problems.map((x) =>
      h('span', { class: `badge badge-${PROBLEM_TONE[x.code] ?? 'plain'}`, title: x.text },
        h('span', { class: 'rule' }, x.ruleId),
        PROBLEM_LABELS[x.code] ?? x.code,
        h('span', { class: 'visually-hidden' }, `: ${x.text}`),
      ),
    ),
  );
}

/** Connections and rules seen so far, offered in the filters' lists. */
const seen = { connections: new Set(), rules: new Set() };
function rememberChoices() {
  for (const p of state.pairs) {
    seen.connections.add(p.ticket.connectionId);
    for (const v of p.violations) seen.rules.add(v.ruleId);
    for (const x of p.problems) seen.rules.add(x.ruleId);
  }
  for (const v of state.violations) {
    seen.connections.add(v.connectionId);
    seen.rules.add(v.ruleId);
  }
  const fill = (id, values) => clear($(id)).append(...[...values].sort().map((v) => h('option', { value: v })));
  fill('connections', seen.connections);
  fill('rules', seen.rules);
}

// ---------------------------------------------------------------------------------------------
// The chart: escalations, violations and raises per UTC day, drawn as grouped bars.

function chartRange(timeline) {
  const days = state.days.map((d) => d.day).sort();
  // Prefer the range the API says it counted, then the filters', then the last 30 days.
  // The API's `to` is exclusive (the start of the day after the last one counted).
  let from = typeof timeline.from === 'string' ? isoDay(new Date(timeline.from)) : state.filters.from;
  let to = typeof timeline.to === 'string' ? isoDay(new Date(new Date(timeline.to).getTime() - 1)) : state.filters.to;
  if (!to) {
    const today = isoDay(new Date());
    const last = days[days.length - 1];
    to = last && last > today ? last : today;
  }
  if (!from) from = isoDay(new Date(dayDate(to).getTime() - 29 * 86_400_000));
  if (days[0] && days[0] < from) from = days[0];
  if (days.length && days[days.length - 1] > to) to = days[days.length - 1];
  const out = [];
  const byDay = new Map(state.days.map((d) => [d.day, d]));
  for (let t = dayDate(from).getTime(); t <= dayDate(to).getTime() && out.length < 400; t += 86_400_000) {
    const day = isoDay(new Date(t));
    const d = byDay.get(day);
    out.push({ day, escalations: d?.escalations ?? 0, violations: d?.violations ?? 0, raised: d?.raised ?? 0 });
  }
  return out;
}

let lastTimeline = { days: [] };
function renderChart(timeline) {
  lastTimeline = timeline;
  const days = chartRange(timeline);
  const totals = Object.fromEntries(SERIES.map((x) => [x.key, days.reduce((n, d) => n + d[x.key], 0)]));
  clear($('chart-legend')).append(
    ...SERIES.map((x) => h('li', null, h('span', { class: `swatch s-${x.key}`, 'aria-hidden': 'true' }), `${x.label} `, h('strong', null, String(totals[x.key])))),
  );
  const first = days[0]?.day;
  const last = days[days.length - 1]?.day;
  $('chart-title').textContent = first ? `Per day, ${dayFormat.format(dayDate(first))} – ${dayFormat.format(dayDate(last))} (UTC)` : 'Per day';
  const body = clear($('chart-body'));
  const active = days.filter((d) => d.escalations + d.violations + d.raised > 0);
  if (active.length === 0) {
    body.append(h('div', { class: 'chart-empty' }, 'No escalations, violations or raises in this period.'));
    return;
  }
  const width = Math.max(body.clientWidth, 320);
  const height = Math.max(body.clientHeight, 100);
  const pad = { left: 30, right: 8, top: 8, bottom: 20 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const top = Math.max(1, ...days.flatMap((d) => SERIES.map((x) => d[x.key])));
  // A step of 1, 2 or 5 times a power of ten, at most four steps up to the tallest bar.
  const step = [1, 2, 5].flatMap((m) => [1, 10, 100, 1000, 10000].map((p) => m * p)).sort((a, b) => a - b).find((x) => top / x <= 4) ?? top;
  const max = Math.ceil(top / step) * step;
  const slot = plotW / days.length;
  const barW = Math.max(1, Math.min(10, (slot - 3) / SERIES.length));
  const y = (v) => pad.top + plotH - (v / max) * plotH;
  const busiest = active.reduce((a, b) => (b.escalations + b.violations + b.raised > a.escalations + a.violations + a.raised ? b : a));
  const summary = `${SERIES.map((x) => `${totals[x.key]} ${x.label.toLowerCase()}`).join(', ')} from ${longDayFormat.format(dayDate(first))} to ${longDayFormat.format(dayDate(last))}; the busiest day was ${longDayFormat.format(dayDate(busiest.day))}.`;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Bar chart: ${summary} The table after the chart lists each day.`, preserveAspectRatio: 'none' });
  const ticks = Array.from({ length: max / step + 1 }, (_, i) => i * step);
  for (const t of ticks) {
    svg.append(
      s('line', { class: 'grid-line', x1: pad.left, x2: width - pad.right, y1: y(t), y2: y(t) }),
      s('text', { class: 'axis-text', x: pad.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, String(t)),
    );
  }
  const labelEvery = Math.max(1, Math.ceil(days.length / Math.floor(plotW / 48)));
  days.forEach((d, i) => {
    const x0 = pad.left + i * slot + (slot - barW * SERIES.length) / 2;
    const g = s('g', null, s('title', null, `${longDayFormat.format(dayDate(d.day))}: ${SERIES.map((x) => `${d[x.key]} ${x.label.toLowerCase()}`).join(', ')}`));
    // A transparent slot behind the bars, so the day's tooltip shows anywhere in its column.
    g.append(s('rect', { x: pad.left + i * slot, y: pad.top, width: slot, height: plotH, fill: 'transparent' }));
    SERIES.forEach((x, k) => {
      if (d[x.key] === 0) return;
      g.append(s('rect', { class: `bar-${x.key}`, x: x0 + k * barW, y: y(d[x.key]), width: Math.max(1, barW - 1), height: pad.top + plotH - y(d[x.key]) }));
    });
    svg.append(g);
    if (i % labelEvery === 0) svg.append(s('text', { class: 'axis-text', x: pad.left + i * slot + slot / 2, y: height - 5, 'text-anchor': 'middle' }, dayFormat.format(dayDate(d.day))));
  });
  body.append(
    svg,
    h('table', { class: 'visually-hidden' },
      h('caption', null, `Per day (UTC): ${summary}`),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Day'), SERIES.map((x) => h('th', { scope: 'col' }, x.label)))),
      h('tbody', null, active.map((d) => h('tr', null, h('th', { scope: 'row' }, longDayFormat.format(dayDate(d.day))), SERIES.map((x) => h('td', null, String(d[x.key])))))),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Knowledge gaps and violations

function renderGaps() {
  const all = state.gaps ?? [];
  const f = filtersFor('gaps');
  const items = all.filter((g) => (!f.vendor || g.vendor === f.vendor) && (!f.connection || g.connectionId === f.connection));
  const body = clear($('gaps-body'));
  for (const g of items) {
    const hash = pairHash(g.vendor, g.connectionId, g.ticketId);
    const subject = g.subject ?? `(ticket ${g.ticketId})`;
    body.append(
      h('tr', null,
        h('th', { scope: 'row' },
          g.issueKey ? h('a', { href: hash, class: 'pair-link cell-main', onclick: (e) => openFromClick(e, hash) }, subject) : h('span', { class: 'cell-main' }, subject),
          h('span', { class: 'cell-sub' }, `${vendorName(g.vendor)} #${g.ticketId}${g.connectionId !== 'default' ? ` · ${g.connectionId}` : ''}`),
        ),
        h('td', { class: 'nowrap' }, g.issueKey ? (safeUrl(g.issueUrl) ? h('a', { href: safeUrl(g.issueUrl), rel: 'noreferrer' }, g.issueKey) : g.issueKey) : dash()),
        h('td', { class: 'nowrap' }, g.ownerId ?? dash()),
        h('td', { class: 'nowrap' }, time(g.resolvedAt)),
        h('td', null, g.missing.length ? h('span', { class: 'badges' }, g.missing.map((m) => badge(KNOWLEDGE_LABELS[m] ?? m, 'warn'))) : h('span', { class: 'muted' }, 'written since')),
        h('td', { class: 'nowrap' }, time(g.at)),
        h('td', { class: 'wrap-text' }, g.summary),
      ),
    );
  }
  if (items.length === 0) body.append(h('tr', null, h('td', { colspan: 7, class: 'empty' }, 'No knowledge gaps: every resolved escalation has its outcome, root cause and documentation written down.')));
  const count = items.length === all.length ? plural(all.length, 'gap') : `${items.length} of ${plural(all.length, 'gap')}`;
  $('gaps-count').textContent = count;
  say(`Showing ${count}.`, { quiet: true });
}

function renderViolations() {
  const body = clear($('violations-body'));
  for (const v of state.violations) {
    const hash = pairHash(v.vendor, v.connectionId, v.ticketId);
    body.append(
      h('tr', null,
        h('td', { class: 'nowrap' }, time(v.at)),
        h('td', null, h('strong', null, v.ruleId)),
        h('td', null, badge(v.verdict, VERDICT_TONE[v.verdict] ?? 'plain')),
        h('th', { scope: 'row', class: 'nowrap' },
          v.issueKey === null ? h('span', { title: 'no Jira issue: not a linked pair' }, `${vendorName(v.vendor)} #${v.ticketId}`) : h('a', { href: hash, class: 'pair-link', onclick: (e) => openFromClick(e, hash) }, `${vendorName(v.vendor)} #${v.ticketId}`),
          v.issueKey ? h('span', { class: 'cell-sub' }, v.issueKey) : null,
          v.connectionId !== 'default' ? h('span', { class: 'cell-sub' }, v.connectionId) : null),
        h('td', { class: 'nowrap' }, v.actorId ?? dash()),
        h('td', { class: 'wrap-text' }, v.summary),
        h('td', null, actionList(v.actions)),
      ),
    );
  }
  if (state.violations.length === 0) body.append(h('tr', null, h('td', { colspan: 7, class: 'empty' }, anyFilter() ? 'No violations match these filters.' : 'No violations recorded.')));
  const count = `${plural(state.violations.length, 'violation')}${state.violationsNext ? ' so far' : ''}`;
  $('violations-count').textContent = count;
  $('violations-more').hidden = !state.violationsNext;
  say(`Showing ${count}.`, { quiet: true });
  rememberChoices();
}

function actionList(actions) {
  if (!actions || actions.length === 0) return h('span', { class: 'muted' }, 'nothing (recorded only)');
  return h('span', { class: 'badges' }, actions.map((a) => badge(a, 'info')));
}

// ---------------------------------------------------------------------------------------------
// The detail panel

function openFromClick(event, hash) {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  openFromElement(event.currentTarget, hash);
}

function openFromElement(el, hash) {
  state.opener = el;
  if (location.hash === hash) routeHash();
  else location.hash = hash;
}

function routeHash() {
  if (!state.authorized) return;
  const ref = parseHash();
  if (ref) void openDetail(ref);
  else closeDetail({ keepHash: true });
}

function markSelected() {
  const ref = parseHash();
  const key = ref && !$('detail').hidden ? pairKey(ref.vendor, ref.connection, ref.id) : null;
  for (const tr of $('pairs-body').querySelectorAll('tr')) tr.classList.toggle('selected', key !== null && tr.dataset.key === key);
}

async function openDetail(ref) {
  const generation = ++state.detailGeneration;
  const panel = $('detail');
  const title = $('detail-title');
  const body = $('detail-body');
  const wasOpen = !panel.hidden;
  panel.hidden = false;
  title.textContent = `${vendorName(ref.vendor)} #${ref.id}`;
  clear(body).append(h('p', { class: 'muted' }, 'Loading…'));
  body.setAttribute('aria-busy', 'true');
  markSelected();
  if (!wasOpen || document.activeElement === document.body) title.focus();
  try {
    const detail = await getJson(pairPath(ref.vendor, ref.connection, ref.id));
    if (generation !== state.detailGeneration) return;
    renderDetail(detail);
    say(`Showing the story of ${vendorName(ref.vendor)} ticket ${ref.id}.`, { quiet: true });
  } catch (err) {
    if (generation !== state.detailGeneration) return;
    if (err instanceof ApiError && err.status === 404) {
      notLinked(ref, err.message);
    } else if (err instanceof ApiError && (err.status === 401 || err.status === 503)) {
      failed(err);
    } else {
      clear(body).append(h('p', { class: 'error' }, err.message));
    }
  } finally {
    if (generation === state.detailGeneration) body.setAttribute('aria-busy', 'false');
  }
}

/** A ticket without a Jira issue (a violation of a ticket never raised): what the page knows of it. */
function notLinked(ref, message) {
  const own = state.violations.filter((v) => v.vendor === ref.vendor && v.connectionId === ref.connection && v.ticketId === ref.id);
  clear($('detail-body')).append(
    h('p', null, `${message.charAt(0).toUpperCase()}${message.slice(1)}: it is not a linked pair, so the audit keeps no trail or content for it.`),
    own.length
      ? section('d-violations', `Violations (${own.length})`,
        table('Violations and corrections of this ticket', ['When', 'Rule', 'Verdict', 'What happened', 'By', 'What was done'], own.map((v) => [time(v.at), h('strong', null, v.ruleId), badge(v.verdict, VERDICT_TONE[v.verdict] ?? 'plain'), v.summary, v.actorId ?? dash(), actionList(v.actions)])))
      : null,
  );
}

function closeDetail({ keepHash = false, restoreFocus = true } = {}) {
  const panel = $('detail');
  if (panel.hidden) return;
  state.detailGeneration += 1;
  panel.hidden = true;
  clear($('detail-body'));
  if (!keepHash && location.hash.startsWith('#pair/')) history.pushState(null, '', `${location.pathname}${location.search}`);
  markSelected();
  if (restoreFocus) {
    const opener = state.opener && document.contains(state.opener) ? state.opener : null;
    (opener ?? $('main')).focus();
  }
  state.opener = null;
}

function section(id, title, ...content) {
  return h('section', { class: 'd-sec', 'aria-labelledby': id }, h('h3', { id }, title), ...content);
}

function facts(pairs) {
  const dl = h('dl', { class: 'facts' });
  for (const [term, value] of pairs) dl.append(h('dt', null, term), h('dd', null, value === null || value === undefined || value === '' ? dash() : value));
  return dl;
}

function table(caption, headers, rows) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'grid' },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, rows.map((cells) => h('tr', null, cells.map((c) => h('td', null, c))))),
    ),
  );
}

function renderDetail(d) {
  const t = d.ticket;
  const i = d.issue;
  $('detail-title').textContent = t.subject ?? `${vendorName(t.vendor)} #${t.id}`;
  const body = clear($('detail-body'));

  body.append(
    h('div', { class: 'd-head' },
      h('p', { class: 'd-links' },
        h('span', null, `${vendorName(t.vendor)} `, outLink(t.url, `#${t.id}`, `Open ticket ${t.id} in ${vendorName(t.vendor)}`), t.connectionId !== 'default' ? ` · ${t.connectionId}` : null),
        i ? h('span', null, 'Jira ', outLink(i.url, i.key, `Open ${i.key} in Jira`), i.summary ? h('span', { class: 'muted' }, ` ${i.summary}`) : null) : badge('Jira issue being raised', 'warn'),
      ),
      d.problems.length ? problemBadges(d.problems) : h('p', { class: 'ok-text' }, 'In good order: no problem for a lead to follow up.'),
    ),
  );

  body.append(
    section('d-pair', 'Ticket and issue',
      facts([
        ['Ticket status', t.status ? `${statusName(t.status)}${vendorStatusNote(t) ? ` (${vendorStatusNote(t)})` : ''}` : null],
        ['Jira status', i?.status ? `${i.status}${i.statusCategory ? ` (${i.statusCategory})` : ''}` : null],
        ['Priority', t.priority],
        ['Jira priority', i?.priority ?? null],
        ['Requester', t.requester],
        ['Issue type', i?.issueType ?? d.link.kind],
        ['Group', t.groupId],
        ['Labels', i && i.labels.length ? h('span', { class: 'badges' }, i.labels.map((l) => badge(l))) : null],
        ['Owner', d.owner ? `${d.owner.name ? `${d.owner.name} (${d.owner.id})` : d.owner.id}${d.owner.groupId ? `, ${d.owner.groupName ?? `group ${d.owner.groupId}`}` : ''}` : null],
        ['Owner since', d.owner ? time(d.owner.since) : null],
        ['Created', time(t.createdAt)],
        ['Linked', time(d.link.linkedAt)],
        ['Escalations', String(d.trail.escalations)],
        ['Round trips', String(d.trail.roundTrips)],
      ]),
    ),
  );

  const timeline = d.timeline ?? [];
  body.append(
    section('d-timeline', `Trail (${timeline.length})`,
      timeline.length === 0
        ? h('p', { class: 'muted' }, 'Nothing recorded yet.')
        : h('ol', { class: 'timeline' },
          timeline.map((e) => h('li', { class: `k-${e.kind} ${timelineTone(e)}` }, time(e.at), h('span', null, e.ruleId ? h('strong', null, `${e.ruleId} `) : null, h('span', { class: 'muted' }, `${e.kind} · `), e.text))),
        ),
    ),
  );

  const c = d.completeness;
  body.append(
    section('d-content', `Jira content (${c.sections.filter((x) => x.present).length}/${c.sections.length})`,
      c.needsInfo ? h('p', null, badge('needs info', 'warn'), ` Required and missing: ${c.missing.join(', ')}.`) : null,
      h('ul', { class: 'plain-list sections-list' },
        c.sections.map((x) =>
          h('li', null,
            h('span', { class: `mark ${x.present ? 'mark-on' : x.required ? 'mark-bad' : 'mark-off'}`, 'aria-hidden': 'true' }, x.present ? '✓' : '✗'),
            x.title,
            h('span', { class: 'muted' }, ` — ${x.present ? 'present' : 'missing'}${x.required ? ', required' : ''}`),
          ),
        ),
      ),
    ),
  );

  body.append(
    section('d-drift', 'Both sides',
      d.drift.length === 0
        ? h('p', { class: 'ok-text' }, 'The ticket and the issue agree.')
        : table('Where the ticket and the Jira issue disagree', ['Field', 'Ticket', 'Jira', 'Seen by', 'Detail'], d.drift.map((x) => [x.field, x.ticketSide, x.jiraSide, x.source === 'reconcile' ? 'reconcile job (M6)' : 'snapshots', x.detail])),
    ),
  );

  body.append(section('d-sla', 'Service levels', slaDetail(d.sla)));

  body.append(section('d-knowledge', 'Knowledge (E5)', knowledgeDetail(d.knowledge)));

  body.append(
    section('d-violations', `Violations (${d.violations.length})`,
      d.violations.length === 0
        ? h('p', { class: 'ok-text' }, 'The escalation process was followed.')
        : table('Violations and corrections', ['When', 'Rule', 'Verdict', 'What happened', 'By', 'What was done'], d.violations.map((v) => [time(v.at), h('strong', null, v.ruleId), badge(v.verdict, VERDICT_TONE[v.verdict]), v.summary, v.actorId ?? dash(), actionList(v.actions)])),
    ),
  );

  const decisions = d.decisions ?? [];
  body.append(
    section('d-decisions', `Decisions (${decisions.length})`,
      decisions.length === 0
        ? h('p', { class: 'muted' }, 'No rule has decided anything about this ticket.')
        : table('Every rule decision about the ticket, oldest first', ['When', 'Rule', 'Verdict', 'Summary', 'By', 'Actions'], decisions.map((x) => [time(x.at), h('strong', null, x.ruleId), badge(x.verdict, VERDICT_TONE[x.verdict] ?? 'plain'), x.summary, x.actorId ?? dash(), x.actions.length ? actionList(x.actions) : dash()])),
    ),
  );
}

/** A decision's verdict, from the entry when the API gives it, else from its text ("violation: ..."). */
function timelineTone(e) {
  if (e.kind !== 'decision') return '';
  const verdict = e.verdict ?? /^(violation|corrected|info|ok):/.exec(e.text)?.[1];
  return verdict ? `v-${verdict}` : '';
}

function slaDetail(sla) {
  if (!sla) return h('p', { class: 'muted' }, 'No SLA is tracked for this ticket.');
  return [
    h('p', null, 'Worst stage: ', sla.worst ? badge(STAGE_LABELS[sla.worst] ?? sla.worst, STAGE_TONE[sla.worst] ?? 'plain') : dash(), sla.computedAt ? h('span', { class: 'muted' }, ' as of ', time(sla.computedAt)) : null),
    sla.targets.length ? table('SLA targets', ['Target', 'Stage', 'Goal', 'Due', 'Met', 'Breached'], sla.targets.map((x) => [x.target.replace('_', ' '), badge(STAGE_LABELS[x.stage] ?? x.stage, STAGE_TONE[x.stage] ?? 'plain'), x.goal ?? dash(), time(x.dueAt), time(x.metAt), time(x.breachedAt)])) : null,
    sla.escalations.length ? h('ul', { class: 'plain-list' }, sla.escalations.map((x) => h('li', null, time(x.at), ` ${x.target.replace('_', ' ')} breach ${x.escalated ? 'escalated (S2)' : 'recorded only (older than tracking)'}`))) : null,
    sla.fix ? h('p', null, `Fix target (S3) for ${sla.fix.issueKey}: due `, time(sla.fix.dueAt), sla.fix.doneAt ? [', done ', time(sla.fix.doneAt)] : null, sla.fix.overdue ? [' ', badge('overdue', 'bad')] : null) : null,
  ];
}

function knowledgeDetail(k) {
  if (!k) return h('p', { class: 'muted' }, 'Not due: E5 asks for it once an escalated ticket is resolved.');
  return [
    h('p', null,
      k.verdict ? badge(k.verdict, VERDICT_TONE[k.verdict] ?? 'plain') : null,
      k.at ? h('span', { class: 'muted' }, ' decided ', time(k.at)) : null,
    ),
    h('ul', { class: 'plain-list' },
      k.captured.map((x) => h('li', null, h('span', { class: 'mark mark-on', 'aria-hidden': 'true' }, '✓'), KNOWLEDGE_LABELS[x] ?? x, h('span', { class: 'muted' }, ' — written down'))),
      k.missing.map((x) => h('li', null, h('span', { class: 'mark mark-bad', 'aria-hidden': 'true' }, '✗'), KNOWLEDGE_LABELS[x] ?? x, h('span', { class: 'muted' }, ' — missing'))),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Wiring

function fillForm() {
  const form = $('filters');
  for (const key of FILTER_KEYS) {
    const el = form.elements.namedItem(key);
    if (!el) continue;
    if (el.type === 'checkbox') el.checked = state.filters[key] === '1';
    else el.value = state.filters[key] ?? '';
  }
  for (const el of form.querySelectorAll('[data-views]')) el.hidden = !el.dataset.views.split(' ').includes(state.view);
  const decided = state.view === 'violations';
  $('f-from-label').textContent = decided ? 'Decided from' : 'Linked from';
  $('f-to-label').textContent = decided ? 'Decided to' : 'Linked to';
}

function readForm() {
  const data = new FormData($('filters'));
  const next = {};
  for (const key of FILTER_KEYS) {
    const v = data.get(key);
    if (typeof v === 'string' && v.trim() !== '') next[key] = key === 'rule' ? v.trim().toUpperCase() : v.trim();
  }
  // Filters a view does not show keep their values (they come back with the view).
  for (const key of FILTER_KEYS) if (!VIEW_FILTERS[state.view].includes(key) && state.filters[key]) next[key] = state.filters[key];
  return next;
}

function showView(view) {
  state.view = view;
  for (const v of VIEWS) $(`view-${v}`).hidden = v !== view;
  for (const tab of document.querySelectorAll('.tab')) {
    if (tab.dataset.view === view) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  $('view-title').textContent = VIEW_TITLES[view];
  document.title = `${VIEW_TITLES[view]} · Escalation audit · helpdesk-sync`;
  fillForm();
}

function navigate(filters, view) {
  history.pushState(null, '', locationFor(filters, view));
  readLocation();
  showView(state.view);
  void reload();
}

function init() {
  readLocation();
  showView(state.view);

  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(readForm(), state.view);
  });
  $('reset').addEventListener('click', () => navigate({}, state.view));
  $('csv').addEventListener('click', () => void downloadCsv());
  $('pairs-more').addEventListener('click', () => void morePairs());
  $('violations-more').addEventListener('click', () => void moreViolations());
  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => {
      if (tab.dataset.view !== state.view) navigate(state.filters, tab.dataset.view);
    });
  }
  $('sign-out').addEventListener('click', signOut);
  $('detail-close').addEventListener('click', () => closeDetail());
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token').value.trim();
    if (!value) {
      const p = $('login-problem');
      p.textContent = 'Enter the audit token.';
      p.hidden = false;
      $('token').setAttribute('aria-invalid', 'true');
      $('token').focus();
      return;
    }
    token.set(value);
    say('Signing in…');
    void reload();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !$('detail').hidden) {
      event.preventDefault();
      closeDetail();
    }
  });
  window.addEventListener('hashchange', routeHash);
  window.addEventListener('popstate', () => {
    const before = JSON.stringify([state.view, state.filters]);
    readLocation();
    if (JSON.stringify([state.view, state.filters]) !== before) {
      showView(state.view);
      void reload();
    }
  });
  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (state.view === 'pairs' && state.authorized) renderChart(lastTimeline);
    }, 150);
  });

  void reload();
}

init();
