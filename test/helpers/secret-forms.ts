import { SECRETS } from './env';

/**
 * Every spelling in which a configured secret could leak: the value itself, its base64, and
 * the Basic-auth headers the three clients send (Freshdesk `key:X`, Zendesk `email/token:token`,
 * Jira `email:token`). The reliability tests look for each of them in every log line and answer.
 */
export function secretForms(secrets: Record<string, string> = SECRETS, email = 'integration@acme.io'): Map<string, string> {
  const forms = new Map<string, string>();
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  for (const [name, value] of Object.entries(secrets)) {
    forms.set(value, `${name} (plain)`);
    forms.set(b64(value), `${name} (base64)`);
    forms.set(b64(value).replace(/=+$/, ''), `${name} (base64, unpadded)`);
    for (const basic of [`${value}:X`, `${email}/token:${value}`, `${email}:${value}`]) {
      forms.set(b64(basic), `${name} (Basic ${basic.replace(value, '<secret>')})`);
      forms.set(`Basic ${b64(basic)}`, `${name} (Authorization header)`);
    }
    forms.set(encodeURIComponent(value), `${name} (URL-encoded)`);
  }
  return forms;
}

/** The secret spellings found in `text`, named (empty when clean). */
export function leakedSecrets(text: string, forms: Map<string, string> = secretForms()): string[] {
  const found: string[] = [];
  for (const [form, name] of forms) if (text.includes(form)) found.push(name);
  return [...new Set(found)];
}
