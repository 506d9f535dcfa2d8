import { MASK, SecretRegistry } from '../../src/logging/redact';

const SECRET = 'sk_live_9fQ2mX7pL4vT';

function registry(...values: string[]): SecretRegistry {
  const r = new SecretRegistry();
  for (const v of values) r.add(v);
  return r;
}

describe('SecretRegistry.maskString', () => {
  it('masks every occurrence of a registered secret', () => {
    expect(registry(SECRET).maskString(`token=${SECRET}; again ${SECRET}.`)).toBe(`token=${MASK}; again ${MASK}.`);
  });

  it('leaves text without secrets untouched', () => {
    expect(registry(SECRET).maskString('nothing to see here')).toBe('nothing to see here');
  });

  it('does not register short or empty values', () => {
    const r = registry('abc', '', 'ok');
    r.add(undefined);
    r.add(null);
    expect(r.maskString('abc ok is fine')).toBe('abc ok is fine');
    expect(registry('abcd').maskString('xabcdx')).toBe(`x${MASK}x`);
  });

  it('masks the base64 spelling of a secret', () => {
    const b64 = Buffer.from(SECRET).toString('base64');
    const out = registry(SECRET).maskString(`Basic ${b64}`);
    expect(b64).toMatch(/[^=]=$/);
    expect(out).toBe(`Basic ${MASK}=`);
  });

  it.each([
    ['email:token (Jira)', (t: string) => `bot@acme.example:${t}`],
    ['email/token:token (Zendesk)', (t: string) => `bot@acme.example/token:${t}`],
    ['one leading byte', (t: string) => `x${t}`],
    ['two leading bytes', (t: string) => `xy${t}`],
  ])('masks the secret inside a base64-encoded Basic credential: %s', (_label, credential) => {
    const encoded = Buffer.from(credential(SECRET)).toString('base64');
    const out = registry(SECRET).maskString(`Authorization: Basic ${encoded}`);
    expect(out).toContain(MASK);
    // What is left decodes to no more than a few characters of the secret.
    const leftovers = out.replace('Authorization: Basic ', '').split(MASK);
    for (const piece of leftovers) {
      const decoded = Buffer.from(piece, 'base64').toString('latin1');
      expect(decoded).not.toContain(SECRET.slice(0, 6));
      expect(decoded).not.toContain(SECRET.slice(-6));
    }
  });

  it('masks a longer secret whole even when a shorter secret is part of it', () => {
    const short = 'abcdefgh';
    const long = 'abcdefgh-and-much-more-secret';
    // Registered short first: the long one must still vanish entirely.
    const out = registry(short, long).maskString(`value=${long}`);
    expect(out).toBe(`value=${MASK}`);
    expect(out).not.toContain('much-more');
  });
});

describe('SecretRegistry.redact', () => {
  const r = registry(SECRET);

  it('masks registered secrets in nested objects and arrays', () => {
    const input = { a: { b: { c: `x ${SECRET} y` } }, list: ['plain', SECRET, { deep: [SECRET] }], n: 5, ok: true, nil: null };
    expect(r.redact(input)).toEqual({ a: { b: { c: `x ${MASK} y` } }, list: ['plain', MASK, { deep: [MASK] }], n: 5, ok: true, nil: null });
    // The input is not modified.
    expect(input.list[1]).toBe(SECRET);
  });

  it('masks Error messages, also nested ones', () => {
    const err = new Error(`401 with token ${SECRET}`);
    expect(r.redact(err)).toEqual({ name: 'Error', message: `401 with token ${MASK}` });
    const wrapped = r.redact({ err: new TypeError(`bad ${SECRET}`) }) as { err: { name: string; message: string } };
    expect(wrapped.err).toEqual({ name: 'TypeError', message: `bad ${MASK}` });
  });

  it.each(['authorization', 'Authorization', 'apiToken', 'password', 'webhookSecret', 'api_key', 'apiKey', 'cookie', 'x-zendesk-webhook-signature'])(
    'masks the value under %s whatever it is',
    (key) => {
      expect(r.redact({ [key]: 'an unregistered value', other: 'kept' })).toEqual({ [key]: MASK, other: 'kept' });
      expect(r.redact({ [key]: { nested: 'object' } })).toEqual({ [key]: MASK });
    },
  );

  it('keeps absent and boolean values of sensitive keys visible', () => {
    expect(r.redact({ password: null, apiToken: undefined, webhookSecret: false })).toEqual({ password: null, apiToken: undefined, webhookSecret: false });
  });

  it('masks headers of a request', () => {
    const headers = { Authorization: 'Bearer abc.def.ghi', 'Content-Type': 'application/json' };
    expect(r.redact({ request: { headers } })).toEqual({ request: { headers: { Authorization: MASK, 'Content-Type': 'application/json' } } });
  });

  it('never returns a secret nested deeper than it walks', () => {
    let deep: unknown = { value: SECRET };
    for (let i = 0; i < 15; i++) deep = { next: deep };
    expect(JSON.stringify(r.redact(deep))).not.toContain(SECRET);
  });

  it('survives a cycle', () => {
    const a: Record<string, unknown> = { name: 'a', s: SECRET };
    a.self = a;
    const out = JSON.stringify(r.redact(a));
    expect(out).not.toContain(SECRET);
  });
});
