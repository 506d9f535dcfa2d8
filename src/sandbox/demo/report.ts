import type { Pending } from './scenario';
import type { Reporter, ScenarioOutcome, StepOutcome } from './runner';

export type Write = (line: string) => void;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Prints each step as it finishes: progress, verdict, what failed, what is pending. */
export function consoleReporter(write: Write): Reporter {
  return {
    scenarioStart(id, title, source) {
      write('');
      write(`(${id}) ${title}   [${source}]`);
    },
    stepDone(index: number, total: number, o: StepOutcome) {
      const okAll = !o.error && o.checks.every((c) => c.result.ok);
      const counter = `[${String(index).padStart(String(total).length)}/${total}]`;
      write(`  ${counter} ${okAll ? '✓' : '✗'} ${o.step}  (${seconds(o.ms)})`);
      if (o.error) write(`          ✗ the step itself failed: ${o.error}`);
      for (const c of o.checks) {
        if (!c.result.ok) write(`          ✗ ${c.what}: ${c.result.detail}`);
      }
      for (const p of o.pending) write(`          … pending ${p.rules.join(', ')}: ${p.what}`);
    },
    scenarioEnd(o: ScenarioOutcome) {
      for (const c of o.end) write(`      ${c.result.ok ? '✓' : '✗'} end state: ${c.what}${c.result.ok ? '' : `: ${c.result.detail}`}`);
      write(`      ${o.passed ? 'scenario reached its expected end state' : 'SCENARIO FAILED'}`);
    },
  };
}

/** Pending expectations grouped by what they wait for, each rule once. */
export function pendingByFeature(outcomes: ScenarioOutcome[]): Map<string, { rules: Set<string>; items: Pending[] }> {
  const out = new Map<string, { rules: Set<string>; items: Pending[] }>();
  for (const o of outcomes) {
    for (const p of o.pending) {
      const entry = out.get(p.waitsFor) ?? { rules: new Set<string>(), items: [] };
      p.rules.forEach((r) => entry.rules.add(r));
      entry.items.push(p);
      out.set(p.waitsFor, entry);
    }
  }
  return out;
}
