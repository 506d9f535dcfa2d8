import type { Pending } from '../scenario';

/** What each not-yet-built feature is, so pending steps say exactly what they wait for. */
export const WAITS_FOR = {
  policy: 'issue 6: the escalation policy engine (T1-T4, E1-E5, H1-H6)',
  sla: 'SLA sweeps (S1-S3), not built yet',
} as const;

export const pending = (what: string, rules: string[], waitsFor: string): Pending => ({ what, rules, waitsFor });
