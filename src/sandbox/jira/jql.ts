import type { IssueRecord, JiraState } from './state';
import { PROJECTS, STATUS_CATEGORIES, statusById, statusByName } from './world';

/**
 * A small, honest subset of JQL: clauses joined by AND over project, key/issue/id, labels,
 * status, statusCategory, created and updated, then ORDER BY created/updated/key/id. Anything
 * else is refused with a 400 naming the problem, never ignored, so a test cannot pass against
 * the sandbox with a query that would mean something else at Jira. Date literals are read in
 * UTC, the time zone of every sandbox user.
 */

export class JqlError extends Error {}

type Token = { kind: 'word' | 'string' | 'op' | 'paren' | 'comma'; text: string; at: number };

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql[i] as string;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < jql.length && jql[j] !== c) {
        if (jql[j] === '\\' && j + 1 < jql.length) j += 1;
        text += jql[j];
        j += 1;
      }
      if (j >= jql.length) throw new JqlError(`Error in the JQL Query: The quoted string starting at character ${i + 1} is not closed.`);
      tokens.push({ kind: 'string', text, at: i + 1 });
      i = j + 1;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: 'paren', text: c, at: i + 1 });
      i += 1;
    } else if (c === ',') {
      tokens.push({ kind: 'comma', text: c, at: i + 1 });
      i += 1;
    } else {
      const op = /^(!=|>=|<=|!~|=|>|<|~)/.exec(jql.slice(i));
      if (op) {
        tokens.push({ kind: 'op', text: op[1] as string, at: i + 1 });
        i += (op[1] as string).length;
        continue;
      }
      const word = /^[^\s"'(),=!<>~]+/.exec(jql.slice(i));
      if (!word) throw new JqlError(`Error in the JQL Query: The character '${c}' is a reserved JQL character (character ${i + 1}).`);
      tokens.push({ kind: 'word', text: word[0], at: i + 1 });
      i += word[0].length;
    }
  }
  return tokens;
}

export interface JqlClause {
  field: string;
  op: string;
  values: string[];
}

export interface JqlOrder {
  field: 'created' | 'updated' | 'key' | 'id';
  direction: 'ASC' | 'DESC';
}

export interface JqlQuery {
  clauses: JqlClause[];
  orderBy: JqlOrder[];
}

const SUPPORTED_FIELDS: Record<string, string[]> = {
  project: ['=', '!=', 'in', 'not in'],
  key: ['=', '!=', 'in', 'not in'],
  labels: ['=', 'in', 'is', 'is not'],
  status: ['=', '!=', 'in', 'not in'],
  statuscategory: ['=', '!=', 'in', 'not in'],
  updated: ['>=', '>', '<=', '<'],
  created: ['>=', '>', '<=', '<'],
};
const FIELD_ALIASES: Record<string, string> = { issue: 'key', issuekey: 'key', id: 'key' };
/** Fields real Jira has but this sandbox does not filter on: refused by name, not as unknown. */
const JIRA_FIELDS_NOT_SUPPORTED = new Set([
  'assignee', 'reporter', 'creator', 'priority', 'issuetype', 'type', 'resolution', 'resolved', 'resolutiondate', 'summary',
  'description', 'text', 'comment', 'sprint', 'component', 'fixversion', 'affectedversion', 'duedate', 'due', 'parent',
  'watcher', 'issue.property', 'environment', 'cf', 'level', 'attachments', 'lastviewed', 'statuscategorychangeddate',
]);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(expected: string): Token {
    const t = this.tokens[this.pos];
    if (!t) throw new JqlError(`Error in the JQL Query: Expecting ${expected} but reached the end of the query.`);
    this.pos += 1;
    return t;
  }

  private isWord(t: Token | undefined, word: string): boolean {
    return t?.kind === 'word' && t.text.toLowerCase() === word;
  }

  parse(): JqlQuery {
    const clauses: JqlClause[] = [];
    let orderBy: JqlOrder[] = [];
    while (this.peek()) {
      if (this.isWord(this.peek(), 'order')) {
        orderBy = this.orderBy();
        break;
      }
      clauses.push(this.clause());
      const t = this.peek();
      if (!t || this.isWord(t, 'order')) continue;
      if (this.isWord(t, 'and')) {
        this.pos += 1;
        if (!this.peek() || this.isWord(this.peek(), 'order')) throw new JqlError(`Error in the JQL Query: Expecting a clause after 'AND' (character ${t.at}).`);
        continue;
      }
      if (this.isWord(t, 'or')) throw new JqlError(`The sandbox's JQL subset joins clauses with AND only; 'OR' at character ${t.at} is not supported.`);
      throw new JqlError(`Error in the JQL Query: Expecting either 'OR' or 'AND' but got '${t.text}' (character ${t.at}).`);
    }
    return { clauses, orderBy };
  }

  private clause(): JqlClause {
    const f = this.next('a field name');
    if (f.kind === 'paren' || this.isWord(f, 'not')) {
      throw new JqlError(`The sandbox's JQL subset does not support grouping or NOT ('${f.text}' at character ${f.at}).`);
    }
    if (f.kind !== 'word' && f.kind !== 'string') throw new JqlError(`Error in the JQL Query: Expecting a field name but got '${f.text}' (character ${f.at}).`);
    const lower = f.text.toLowerCase();
    const field = FIELD_ALIASES[lower] ?? lower;
    const allowed = SUPPORTED_FIELDS[field];
    if (!allowed) {
      if (JIRA_FIELDS_NOT_SUPPORTED.has(lower) || lower.startsWith('cf[') || lower.startsWith('customfield_')) {
        throw new JqlError(`The sandbox's JQL subset does not support the field '${f.text}'. Supported: project, key (issue, issuekey, id), labels, status, statusCategory, created, updated.`);
      }
      throw new JqlError(`Field '${f.text}' does not exist or you do not have permission to view it.`);
    }
    const op = this.operator();
    if (!allowed.includes(op)) {
      throw new JqlError(`The operator '${op.toUpperCase()}' is not supported by the sandbox's JQL subset for the field '${f.text}'. Supported: ${allowed.map((o) => o.toUpperCase()).join(', ')}.`);
    }
    if (op === 'in' || op === 'not in') return { field, op, values: this.list() };
    const v = this.next('a value');
    if (v.kind !== 'word' && v.kind !== 'string') throw new JqlError(`Error in the JQL Query: Expecting a value but got '${v.text}' (character ${v.at}).`);
    if ((op === 'is' || op === 'is not') && !(v.kind === 'word' && ['empty', 'null'].includes(v.text.toLowerCase()))) {
      throw new JqlError(`Error in the JQL Query: The operator '${op.toUpperCase()}' only takes EMPTY or NULL (character ${v.at}).`);
    }
    return { field, op, values: [v.text] };
  }

  private operator(): string {
    const t = this.next('an operator');
    if (t.kind === 'op') return t.text;
    if (this.isWord(t, 'in')) return 'in';
    if (this.isWord(t, 'is')) {
      if (this.isWord(this.peek(), 'not')) {
        this.pos += 1;
        return 'is not';
      }
      return 'is';
    }
    if (this.isWord(t, 'not') && this.isWord(this.peek(), 'in')) {
      this.pos += 1;
      return 'not in';
    }
    if (t.kind === 'word' && ['was', 'changed'].includes(t.text.toLowerCase())) return t.text.toLowerCase();
    throw new JqlError(`Error in the JQL Query: Expecting operator but got '${t.text}'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (character ${t.at})`);
  }

  private list(): string[] {
    const open = this.next("'('");
    if (open.text !== '(') throw new JqlError(`Error in the JQL Query: Expecting '(' but got '${open.text}' (character ${open.at}).`);
    const values: string[] = [];
    for (;;) {
      const v = this.next('a value');
      if (v.kind !== 'word' && v.kind !== 'string') throw new JqlError(`Error in the JQL Query: Expecting a value but got '${v.text}' (character ${v.at}).`);
      values.push(v.text);
      const sep = this.next("',' or ')'");
      if (sep.text === ')') return values;
      if (sep.kind !== 'comma') throw new JqlError(`Error in the JQL Query: Expecting ',' or ')' but got '${sep.text}' (character ${sep.at}).`);
    }
  }

  private orderBy(): JqlOrder[] {
    this.pos += 1;
    const by = this.next("'BY'");
    if (!this.isWord(by, 'by')) throw new JqlError(`Error in the JQL Query: Expecting 'BY' but got '${by.text}' (character ${by.at}).`);
    const out: JqlOrder[] = [];
    for (;;) {
      const f = this.next('a field to order by');
      const name = FIELD_ALIASES[f.text.toLowerCase()] ?? f.text.toLowerCase();
      if (!['created', 'updated', 'key'].includes(name) && f.text.toLowerCase() !== 'id') {
        throw new JqlError(`The sandbox's JQL subset cannot ORDER BY '${f.text}'. Supported: created, updated, key, id.`);
      }
      const field = (f.text.toLowerCase() === 'id' ? 'id' : name) as JqlOrder['field'];
      let direction: JqlOrder['direction'] = 'ASC';
      const d = this.peek();
      if (this.isWord(d, 'asc') || this.isWord(d, 'desc')) {
        direction = (d as Token).text.toUpperCase() as JqlOrder['direction'];
        this.pos += 1;
      }
      out.push({ field, direction });
      const sep = this.peek();
      if (!sep) return out;
      if (sep.kind !== 'comma') throw new JqlError(`Error in the JQL Query: Expecting ',' or the end of the query but got '${sep.text}' (character ${sep.at}).`);
      this.pos += 1;
    }
  }
}

export function parseJql(jql: string): JqlQuery {
  return new Parser(tokenize(jql)).parse();
}

/** Jira's date literal forms, read in UTC: "yyyy-MM-dd HH:mm", "yyyy/MM/dd", relative "-2h", epoch ms. */
export function jqlDate(value: string, now: Date): number {
  const rel = /^([-+]?)(\d+)([mhdw])$/.exec(value.trim());
  if (rel) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[3] as 'm' | 'h' | 'd' | 'w'];
    return now.getTime() + (rel[1] === '-' ? -1 : 1) * Number(rel[2]) * unit;
  }
  if (/^\d{9,}$/.test(value)) return Number(value);
  const abs = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:\s+(\d{2}):(\d{2}))?$/.exec(value.trim());
  if (abs) {
    const [, y, mo, d, h, mi] = abs;
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0));
  }
  throw new JqlError(
    `Date value '${value}' for field is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
  );
}

function keyOrder(key: string): [string, number] {
  const i = key.lastIndexOf('-');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}

/** Turns a parsed query into a filter and an order, checking every value names something real. */
export function compileJql(query: JqlQuery, state: JiraState, now: Date): { matches: (i: IssueRecord) => boolean; compare: (a: IssueRecord, b: IssueRecord) => number } {
  const tests = query.clauses.map((c) => clauseTest(c, state, now));
  const orders: JqlOrder[] = query.orderBy.length ? query.orderBy : [{ field: 'created', direction: 'DESC' }];
  const compare = (a: IssueRecord, b: IssueRecord): number => {
    for (const o of orders) {
      let d = 0;
      if (o.field === 'created') d = a.created.getTime() - b.created.getTime();
      else if (o.field === 'updated') d = a.updated.getTime() - b.updated.getTime();
      else if (o.field === 'id') d = Number(a.id) - Number(b.id);
      else {
        const [pa, na] = keyOrder(a.key);
        const [pb, nb] = keyOrder(b.key);
        d = pa === pb ? na - nb : pa < pb ? -1 : 1;
      }
      if (d !== 0) return o.direction === 'ASC' ? d : -d;
    }
    // Equal on every ordered field: fall back to the id so pages never shuffle between calls.
    const last = orders[orders.length - 1] as JqlOrder;
    return last.direction === 'ASC' ? Number(a.id) - Number(b.id) : Number(b.id) - Number(a.id);
  };
  return { matches: (issue) => tests.every((t) => t(issue)), compare };
}

function negate(op: string, test: (i: IssueRecord) => boolean): (i: IssueRecord) => boolean {
  return op === '!=' || op === 'not in' ? (i) => !test(i) : test;
}

function clauseTest(c: JqlClause, state: JiraState, now: Date): (i: IssueRecord) => boolean {
  switch (c.field) {
    case 'project': {
      const ids = c.values.map((v): string => {
        const p = PROJECTS.find((x) => x.key.toLowerCase() === v.toLowerCase() || x.id === v || x.name.toLowerCase() === v.toLowerCase());
        if (!p) throw new JqlError(`The value '${v}' does not exist for the field 'project'.`);
        return p.id;
      });
      return negate(c.op, (i) => ids.includes(i.projectId));
    }
    case 'key': {
      const ids = c.values.map((v) => {
        const issue = state.findIssue(v);
        if (!issue) throw new JqlError(`An issue with key '${v}' does not exist for field 'key'.`);
        return issue.id;
      });
      return negate(c.op, (i) => ids.includes(i.id));
    }
    case 'labels': {
      if (c.op === 'is') return (i) => i.labels.length === 0;
      if (c.op === 'is not') return (i) => i.labels.length > 0;
      return (i) => c.values.some((v) => i.labels.includes(v));
    }
    case 'status': {
      const ids = c.values.map((v) => {
        const s = statusByName(v) ?? statusById(v);
        if (!s) throw new JqlError(`The value '${v}' does not exist for the field 'status'.`);
        return s.id;
      });
      return negate(c.op, (i) => ids.includes(i.statusId));
    }
    case 'statuscategory': {
      const keys = c.values.map((v) => {
        const cat = Object.values(STATUS_CATEGORIES).find((x) => x.key === v.toLowerCase() || x.name.toLowerCase() === v.toLowerCase() || String(x.id) === v);
        if (!cat) throw new JqlError(`The value '${v}' does not exist for the field 'statusCategory'.`);
        return cat.key;
      });
      return negate(c.op, (i) => keys.includes(statusById(i.statusId)?.category ?? 'new'));
    }
    default: {
      const at = jqlDate(c.values[0] as string, now);
      const of = (i: IssueRecord) => (c.field === 'created' ? i.created : i.updated).getTime();
      if (c.op === '>=') return (i) => of(i) >= at;
      if (c.op === '>') return (i) => of(i) > at;
      if (c.op === '<=') return (i) => of(i) <= at;
      return (i) => of(i) < at;
    }
  }
}
