import type { CheckResult, Pending, Scenario, ScenarioVars } from './scenario';

export interface StepOutcome {
  scenario: string;
  step: string;
  checks: Array<{ what: string; rules: string[]; result: CheckResult }>;
  pending: Pending[];
  error: string | null;
  ms: number;
}

export interface ScenarioOutcome {
  id: string;
  title: string;
  steps: StepOutcome[];
  end: Array<{ what: string; rules: string[]; result: CheckResult }>;
  pending: Pending[];
  passed: boolean;
}

export interface Reporter {
  scenarioStart(id: string, title: string, source: string): void;
  stepDone(index: number, total: number, outcome: StepOutcome): void;
  scenarioEnd(outcome: ScenarioOutcome): void;
}

const message = (err: unknown): string => {
  const e = err as { response?: { status?: number; data?: unknown }; message?: string };
  if (e.response) return `HTTP ${e.response.status ?? '?'} ${JSON.stringify(e.response.data).slice(0, 300)}`;
  return e.message ?? String(err);
};

async function runChecks<W>(
  world: W,
  vars: ScenarioVars,
  since: number,
  expectations: Array<{ what: string; rules: string[]; check: (w: W, v: ScenarioVars, s: number) => Promise<CheckResult> }>,
) {
  const out: Array<{ what: string; rules: string[]; result: CheckResult }> = [];
  for (const e of expectations) {
    let result: CheckResult;
    try {
      result = await e.check(world, vars, since);
    } catch (err) {
      result = { ok: false, detail: message(err) };
    }
    out.push({ what: e.what, rules: e.rules, result });
  }
  return out;
}

/** Plays the scenarios in order; a failed step is reported and the scenario goes on. */
export async function runScenarios<W>(world: W, scenarios: Scenario<W>[], reporter: Reporter): Promise<ScenarioOutcome[]> {
  const total = scenarios.reduce((n, s) => n + s.steps.length, 0);
  let index = 0;
  const outcomes: ScenarioOutcome[] = [];
  for (const scenario of scenarios) {
    reporter.scenarioStart(scenario.id, scenario.title, scenario.source);
    const vars: ScenarioVars = {};
    const steps: StepOutcome[] = [];
    for (const step of scenario.steps) {
      index += 1;
      const started = Date.now();
      let error: string | null = null;
      let checks: StepOutcome['checks'] = [];
      try {
        await step.act(world, vars);
        checks = await runChecks(world, vars, started, step.expect);
      } catch (err) {
        error = message(err);
      }
      const outcome: StepOutcome = { scenario: scenario.id, step: step.title, checks, pending: step.pending ?? [], error, ms: Date.now() - started };
      steps.push(outcome);
      reporter.stepDone(index, total, outcome);
    }
    const end = await runChecks(world, vars, 0, scenario.end);
    const pending = [...steps.flatMap((s) => s.pending), ...(scenario.endPending ?? [])];
    const passed = steps.every((s) => !s.error && s.checks.every((c) => c.result.ok)) && end.every((c) => c.result.ok);
    const result: ScenarioOutcome = { id: scenario.id, title: scenario.title, steps, end, pending, passed };
    outcomes.push(result);
    reporter.scenarioEnd(result);
  }
  return outcomes;
}
