import { verifyFreshdesk } from '../../src/vendors/freshdesk/webhook';
import { verifyJira } from '../../src/vendors/jira/webhook';
import { verifyZendesk } from '../../src/vendors/zendesk/webhook';
import { fixtureText } from '../helpers/fixtures';
import { basicAuth, jiraSignature, zendeskSignature } from '../helpers/sign';

const body = Buffer.from(fixtureText('webhooks/zendesk-comment-added.json'));
const secret = 'zd-webhook-signing-secret-R4t8Yx';
const now = new Date('2025-01-08T14:25:31Z');
const ts = '2025-01-08T14:25:30Z';

describe('verifyZendesk', () => {
  const headers = (sig: string | undefined, stamp: string | undefined = ts) => ({
    'x-zendesk-webhook-signature': sig,
    'x-zendesk-webhook-signature-timestamp': stamp,
  });

  it('accepts base64(HMAC-SHA256(secret, timestamp + body))', () => {
    expect(verifyZendesk(headers(zendeskSignature(secret, ts, body)), body, secret, now)).toEqual({ ok: true });
  });

  it('refuses a signature made with another secret', () => {
    const v = verifyZendesk(headers(zendeskSignature('another-secret-value', ts, body)), body, secret, now);
    expect(v).toEqual({ ok: false, reason: expect.stringContaining('does not match') });
  });

  it('refuses a body changed after signing', () => {
    const tampered = Buffer.from(body.toString().replace('We are investigating.', 'We are done.'));
    expect(verifyZendesk(headers(zendeskSignature(secret, ts, body)), tampered, secret, now).ok).toBe(false);
  });

  it('signs over the timestamp too: the same body with another timestamp fails', () => {
    const other = '2025-01-08T14:25:00Z';
    expect(verifyZendesk(headers(zendeskSignature(secret, other, body), ts), body, secret, now).ok).toBe(false);
  });

  it('refuses timestamps more than 5 minutes away, either side', () => {
    const old = '2025-01-08T14:19:00Z';
    const late = verifyZendesk(headers(zendeskSignature(secret, old, body), old), body, secret, now);
    expect(late).toEqual({ ok: false, reason: expect.stringMatching(/391 s away .*limit 300 s/) });
    const future = '2025-01-08T14:31:00Z';
    expect(verifyZendesk(headers(zendeskSignature(secret, future, body), future), body, secret, now).ok).toBe(false);
    const edge = '2025-01-08T14:20:32Z';
    expect(verifyZendesk(headers(zendeskSignature(secret, edge, body), edge), body, secret, now).ok).toBe(true);
  });

  it('names the missing headers', () => {
    expect(verifyZendesk({}, body, secret, now)).toEqual({
      ok: false,
      reason: 'missing header X-Zendesk-Webhook-Signature and X-Zendesk-Webhook-Signature-Timestamp',
    });
    expect(verifyZendesk(headers('abc', 'yesterday'), body, secret, now)).toEqual({
      ok: false,
      reason: expect.stringContaining('not an ISO 8601 time'),
    });
  });
});

describe('verifyJira', () => {
  const raw = Buffer.from(fixtureText('webhooks/jira-issue-updated.json'));
  const key = 'jira-webhook-secret-Pz05Mc';

  it('accepts sha256=<hex HMAC-SHA256(secret, body)>', () => {
    expect(verifyJira({ 'x-hub-signature': jiraSignature(key, raw) }, raw, key)).toEqual({ ok: true });
  });

  it('accepts upper-case hex', () => {
    const sig = `sha256=${jiraSignature(key, raw).slice('sha256='.length).toUpperCase()}`;
    expect(verifyJira({ 'x-hub-signature': sig }, raw, key).ok).toBe(true);
  });

  it('refuses a wrong secret, a wrong algorithm and a missing header, each with its reason', () => {
    expect(verifyJira({ 'x-hub-signature': jiraSignature('other-secret-123', raw) }, raw, key)).toEqual({
      ok: false,
      reason: 'X-Hub-Signature does not match the body and the webhook secret',
    });
    expect(verifyJira({ 'x-hub-signature': 'sha1=0123456789abcdef0123456789abcdef01234567' }, raw, key)).toEqual({
      ok: false,
      reason: 'X-Hub-Signature must look like sha256=<64 hex digits>',
    });
    expect(verifyJira({}, raw, key)).toEqual({ ok: false, reason: expect.stringContaining('missing header X-Hub-Signature') });
  });
});

describe('verifyFreshdesk', () => {
  const key = 'fd-webhook-secret-Qw81nVb';
  const raw = Buffer.from('{}');

  it('accepts the secret in X-Webhook-Secret', () => {
    expect(verifyFreshdesk({ 'x-webhook-secret': key }, raw, key)).toEqual({ ok: true });
  });

  it('accepts the secret as the basic-auth password, whatever the user name', () => {
    expect(verifyFreshdesk({ authorization: basicAuth('freshdesk', key) }, raw, key)).toEqual({ ok: true });
  });

  it('refuses a wrong or absent secret', () => {
    expect(verifyFreshdesk({ 'x-webhook-secret': `${key}x` }, raw, key)).toEqual({ ok: false, reason: 'the webhook secret is wrong' });
    expect(verifyFreshdesk({ authorization: basicAuth(key, 'X') }, raw, key).ok).toBe(false);
    expect(verifyFreshdesk({ authorization: 'Bearer abc' }, raw, key)).toEqual({ ok: false, reason: expect.stringContaining('missing credentials') });
  });
});

// Found by the webhook fuzz test (test/reliability/fuzz.test.ts): Node's base64 decoder stops
// at the padding and skips characters it does not know, so loose signatures used to pass.
describe('verifyZendesk reads the signature strictly', () => {
  const sig = zendeskSignature(secret, ts, body);
  const headers = (signature: string) => ({ 'x-zendesk-webhook-signature': signature, 'x-zendesk-webhook-signature-timestamp': ts });
  const refusal = { ok: false, reason: 'X-Zendesk-Webhook-Signature must be the base64 of an HMAC-SHA256 (44 characters)' };

  it('refuses the header sent twice (Node joins them with ", ") and anything after the padding', () => {
    expect(verifyZendesk(headers(`${sig}, ${sig}`), body, secret, now)).toEqual(refusal);
    expect(verifyZendesk(headers(`${sig}garbage`), body, secret, now)).toEqual(refusal);
    expect(verifyZendesk(headers(`${sig.slice(0, 20)}!!${sig.slice(20)}`), body, secret, now)).toEqual(refusal);
  });

  it('still accepts the signature itself, blanks around it allowed', () => {
    expect(verifyZendesk(headers(` ${sig} `), body, secret, now)).toEqual({ ok: true });
  });
});
