/**
 * A demo scenario: steps that people take through the vendors' APIs, each followed by what
 * must then be true, checked by reading the sandboxes' state (never helpdesk-sync's own word).
 * Expectations whose feature is not built yet are declared pending, with the rules they wait
 * for, so the summary shows honestly what is missing.
 */

export type CheckResult = { ok: true; detail?: string } | { ok: false; detail: string };

export interface Expectation<W> {
  what: string;
  /** Rule ids of docs/rules.md, or "intake" for the webhook-to-worker path. */
  rules: string[];
  check: (world: W, vars: ScenarioVars, since: number) => Promise<CheckResult>;
}

export interface Pending {
  what: string;
  rules: string[];
  /** The open issue or feature that delivers it. */
  waitsFor: string;
}

export interface Step<W> {
  title: string;
  act: (world: W, vars: ScenarioVars) => Promise<void>;
  expect: Expectation<W>[];
  pending?: Pending[];
}

export interface Scenario<W> {
  id: string;
  title: string;
  source: string;
  steps: Step<W>[];
  /** The state the scenario must end in. */
  end: Expectation<W>[];
  endPending?: Pending[];
}

/** Ids a scenario learns as it goes (the ticket it created, the issue key). */
export type ScenarioVars = Record<string, string | number>;

export function num(vars: ScenarioVars, name: string): number {
  const v = vars[name];
  if (v === undefined) throw new Error(`scenario variable ${name} is not set yet`);
  return Number(v);
}

export function str(vars: ScenarioVars, name: string): string {
  const v = vars[name];
  if (v === undefined) throw new Error(`scenario variable ${name} is not set yet`);
  return String(v);
}

export const ok = (detail?: string): CheckResult => ({ ok: true, detail });
export const fail = (detail: string): CheckResult => ({ ok: false, detail });
export const expectEqual = (what: string, actual: unknown, expected: unknown): CheckResult =>
  JSON.stringify(actual) === JSON.stringify(expected) ? ok() : fail(`${what}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`);
