/**
 * Freshdesk's `{{triggered_event}}` placeholder renders a brace form that looks like JSON but
 * is not: no quotes, `null` for an empty side, only the rule's first matching change:
 *
 *   {ticket_action:created}   {status:{from:4,to:6}}   {group_id:{from:null,to:13}}
 *   {note_type:public}        {tags:{added:[vip,billing],removed:[]}}
 *
 * The parser is tolerant (spaces, quoted keys or values, a JSON rendering) and total: anything
 * it cannot read gives null, never an exception, because the text comes from a webhook body.
 */

export type BraceValue = string | null | BraceValue[] | { [key: string]: BraceValue };
export type TriggeredEvent = { [key: string]: BraceValue };

/** Deep enough for every form Freshdesk renders; deeper input is refused, not recursed into. */
const MAX_DEPTH = 8;

class Reader {
  private pos = 0;

  constructor(private readonly text: string) {}

  /** The whole text as one object, or null when anything is left over or malformed. */
  document(): TriggeredEvent | null {
    const value = this.object(0);
    this.spaces();
    return value !== null && this.pos === this.text.length ? value : null;
  }

  private spaces(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos += 1;
  }

  private take(char: string): boolean {
    this.spaces();
    if (this.text[this.pos] !== char) return false;
    this.pos += 1;
    return true;
  }

  private object(depth: number): TriggeredEvent | null {
    if (depth > MAX_DEPTH || !this.take('{')) return null;
    const out: TriggeredEvent = {};
    if (this.take('}')) return out;
    for (;;) {
      const key = this.scalar(':,}]');
      if (key === null || key === '' || !this.take(':')) return null;
      const value = this.value(depth + 1);
      if (value === undefined) return null;
      out[key] = value;
      if (this.take(',')) continue;
      return this.take('}') ? out : null;
    }
  }

  private list(depth: number): BraceValue[] | null {
    if (depth > MAX_DEPTH || !this.take('[')) return null;
    const out: BraceValue[] = [];
    if (this.take(']')) return out;
    for (;;) {
      const value = this.value(depth + 1);
      if (value === undefined) return null;
      out.push(value);
      if (this.take(',')) continue;
      return this.take(']') ? out : null;
    }
  }

  /** undefined on failure: null is a value here (`from:null`). */
  private value(depth: number): BraceValue | undefined {
    this.spaces();
    const next = this.text[this.pos];
    if (next === '{') return this.object(depth) ?? undefined;
    if (next === '[') return this.list(depth) ?? undefined;
    const raw = this.scalar(',}]');
    if (raw === null) return undefined;
    return raw === 'null' ? null : raw;
  }

  /** Text up to one of `stops`, trimmed; a double-quoted run is read as one string. */
  private scalar(stops: string): string | null {
    this.spaces();
    if (this.text[this.pos] === '"') {
      const end = this.text.indexOf('"', this.pos + 1);
      if (end < 0) return null;
      const quoted = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return quoted;
    }
    const start = this.pos;
    while (this.pos < this.text.length && !stops.includes(this.text[this.pos] as string) && !'{['.includes(this.text[this.pos] as string)) {
      this.pos += 1;
    }
    return this.text.slice(start, this.pos).trim();
  }
}

/** The rendered `triggered_event`, or null when it is empty, unrendered or malformed. */
export function parseTriggeredEvent(text: unknown): TriggeredEvent | null {
  if (typeof text !== 'string') return null;
  const trimmed = text.trim();
  // An unrendered placeholder ("{{triggered_event}}") is a rule set up without the variable.
  if (!trimmed.startsWith('{') || trimmed.startsWith('{{')) return null;
  try {
    return new Reader(trimmed).document();
  } catch {
    // The reader does not throw by design; this keeps the promise if a future edit does.
    return null;
  }
}

/** `{field:{from:a,to:b}}` as strings (null for an empty side); null when the field is not a move. */
export function fieldMoveOf(event: TriggeredEvent, field: string): { from: string | null; to: string | null } | null {
  const value = event[field];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  if (!('from' in value) && !('to' in value)) return null;
  const side = (v: BraceValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);
  return { from: side(value.from), to: side(value.to) };
}
