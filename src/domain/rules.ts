import { createHash } from 'node:crypto';

/**
 * The rule ids of docs/rules.md, and the signature every note and comment
 * helpdesk-sync writes carries. Defined once: the policy engine, the Jira composer, the mirror
 * and echo recognition (M5) all read them from here.
 */

export const POLICY_RULE_IDS = ['T1', 'T2', 'T3', 'T4', 'E1', 'E2', 'E3', 'E4', 'E5', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6'] as const;
export const JIRA_RULE_IDS = ['J1', 'J2', 'J3', 'J4', 'J5'] as const;
export const MIRROR_RULE_IDS = ['M1', 'M2', 'M3', 'M4', 'M5', 'M6'] as const;
export const SLA_RULE_IDS = ['S1', 'S2', 'S3'] as const;
export const RULE_IDS = [...POLICY_RULE_IDS, ...JIRA_RULE_IDS, ...MIRROR_RULE_IDS, ...SLA_RULE_IDS, 'A1'] as const;

export type PolicyRuleId = (typeof POLICY_RULE_IDS)[number];
export type RuleId = (typeof RULE_IDS)[number];

export function isPolicyRule(ruleId: string): boolean {
  return (POLICY_RULE_IDS as readonly string[]).includes(ruleId);
}

/** The words every note and comment of ours ends with: "helpdesk-sync · rule M1". */
export const SIGNATURE = 'helpdesk-sync · rule';

/** A private note's HTML with the signature line; `ref` lets a retry find a write whose answer was lost. */
export function signNote(html: string, rules: string, ref?: string): string {
  return `${html}<p><i>${SIGNATURE} ${rules}${ref ? ` · ref ${ref}` : ''}</i></p>`;
}

/** The signature line as plain text, for Jira comments (ADF paragraphs) and tests. */
export function signatureText(rules: string, ref?: string): string {
  return `${SIGNATURE} ${rules}${ref ? ` · ref ${ref}` : ''}`;
}

/** true when a note or comment's text carries our signature line. */
export function isSigned(text: string): boolean {
  return text.includes(SIGNATURE);
}

const REF = /helpdesk-sync · rule [^\n]*?· ref ([A-Za-z0-9_-]+)/;

/** The ref a signed text carries, if any. */
export function refOf(text: string): string | null {
  return REF.exec(text)?.[1] ?? null;
}

/** The short ref a write's text carries for its idempotency key: the same key, the same ref. */
export function refFor(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 12);
}

/**
 * A signed note with the ref put into its signature line, for notes built before their key was
 * known (the policy engine's). The last signature line is the one; a note already carrying a
 * ref is left as it is.
 */
export function withRef(signedHtml: string, ref: string): string {
  if (refOf(signedHtml)) return signedHtml;
  const at = signedHtml.lastIndexOf(SIGNATURE);
  if (at < 0) return signedHtml;
  const end = signedHtml.indexOf('<', at);
  const cut = end < 0 ? signedHtml.length : end;
  return `${signedHtml.slice(0, cut)} · ref ${ref}${signedHtml.slice(cut)}`;
}
