import { INTEGRATION_ACTORS } from '../world';
import type { DemoWorld } from './demo-world';
import { fail, ok, type CheckResult, type Expectation, type ScenarioVars } from './scenario';

type Vendor = 'freshdesk' | 'zendesk' | 'jira';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The path helpdesk-sync reads an entity at, per vendor (what its clients call). */
function readPath(vendor: Vendor, id: string): string {
  if (vendor === 'freshdesk') return `/api/v2/tickets/${id}`;
  if (vendor === 'zendesk') return `/api/v2/tickets/${id}.json`;
  return `/rest/api/3/issue/${id}`;
}

/**
 * Intake, seen from the vendor's side: every webhook the change caused was delivered (2xx),
 * and afterwards helpdesk-sync read the entity back through the vendor's API. A read that
 * started after the last webhook was sent saw the change, whichever event it was processing.
 */
export function processed(vendor: Vendor, idVar: string): Expectation<DemoWorld> {
  return {
    what: 'webhook delivered and the change read back by helpdesk-sync',
    rules: ['intake'],
    check: async (world: DemoWorld, vars: ScenarioVars, since: number): Promise<CheckResult> => {
      const sandbox = world.sandboxes[vendor];
      const id = String(vars[idVar]);
      const entity = vendor === 'jira' ? `issue:${id}` : `ticket:${id}`;
      await world.sandboxes.webhooksIdle();
      const deliveries = sandbox.webhooks.deliveries.filter((d) => d.entity === entity && d.queuedAt >= since);
      if (!deliveries.length) return fail(`${vendor} sent no webhook for ${entity}`);
      const refused = deliveries.find((d) => !d.dropped && (d.status === null || d.status >= 300));
      if (refused) return fail(`${vendor} webhook ${refused.eventType} was answered ${refused.status ?? 'with no answer'}`);
      const lastSent = Math.max(...deliveries.map((d) => d.sentAt ?? 0));
      const deadline = Date.now() + world.patienceMs;
      while (Date.now() < deadline) {
        const reads = sandbox.http.calls.since(lastSent, { method: 'GET', path: readPath(vendor, id), actor: INTEGRATION_ACTORS[vendor] });
        if (reads.some((r) => r.status === 200)) {
          return ok(`${deliveries.length} webhook(s) accepted, read back in ${Math.max(0, (reads[0]?.at ?? lastSent) - lastSent)} ms`);
        }
        await sleep(25);
      }
      return fail(`helpdesk-sync did not read ${entity} back within ${world.patienceMs} ms of its webhook`);
    },
  };
}

/** A state check on the sandboxes, with a readable description of what was found. */
export function state(what: string, rules: string[], check: (world: DemoWorld, vars: ScenarioVars) => CheckResult): Expectation<DemoWorld> {
  return { what, rules, check: async (world, vars) => check(world, vars) };
}

/**
 * A state check that may take a moment to come true: helpdesk-sync acts after it has read the
 * change back, so writes it makes (a Jira issue, a note) are polled for, up to the patience.
 */
export function eventually(
  what: string,
  rules: string[],
  check: (world: DemoWorld, vars: ScenarioVars) => CheckResult | Promise<CheckResult>,
): Expectation<DemoWorld> {
  return {
    what,
    rules,
    check: async (world, vars) => {
      const deadline = Date.now() + world.patienceMs;
      let last = await check(world, vars);
      while (!last.ok && Date.now() < deadline) {
        await sleep(25);
        last = await check(world, vars);
      }
      return last;
    },
  };
}
