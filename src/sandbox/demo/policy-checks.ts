import type { Decision } from '../../store/types';
import { countRoundTrips } from '../../policy';
import { FRESHDESK_AGENTS, ZENDESK_AGENTS } from '../seed-people';
import type { DemoWorld } from './demo-world';
import { eventually } from './expect';
import { fail, num, ok, type CheckResult, type Expectation, type ScenarioVars } from './scenario';

type Helpdesk = 'freshdesk' | 'zendesk';

const ref = (vendor: Helpdesk, vars: ScenarioVars, idVar: string) => ({ vendor, connectionId: 'default', id: String(num(vars, idVar)) });

/**
 * A decision of the policy engine, read from helpdesk-sync's audit trail. Used for what leaves
 * no trace at the vendor (an owner recorded, a step that was correct); corrections are checked
 * at the vendor as well, with correctedAtVendor.
 */
export function decided(vendor: Helpdesk, idVar: string, ruleId: string, verdict: Decision['verdict'], what: string, mentions?: string): Expectation<DemoWorld> {
  return eventually(what, [ruleId], async (w, v) => {
    const decisions = await w.store.listDecisions({ ticket: ref(vendor, v, idVar), ruleId });
    const hit = decisions.find((d) => d.verdict === verdict && (!mentions || d.summary.includes(mentions)));
    if (hit) return ok(hit.summary);
    const seen = decisions.map((d) => `${d.verdict}: ${d.summary}`).join(' | ') || 'none';
    return fail(`no ${ruleId} ${verdict}${mentions ? ` mentioning "${mentions}"` : ''} (decisions: ${seen})`);
  });
}

/** No decision of this rule found fault (verdict violation or corrected) on the ticket. */
export function noFault(vendor: Helpdesk, idVar: string, ruleId: string, what: string): Expectation<DemoWorld> {
  return {
    what,
    rules: [ruleId],
    check: async (w, v) => {
      const bad = (await w.store.listDecisions({ ticket: ref(vendor, v, idVar), ruleId })).filter((d) => d.verdict === 'violation' || d.verdict === 'corrected');
      return bad.length ? fail(bad.map((d) => d.summary).join(' | ')) : ok();
    },
  };
}

/** E1: the recorded owner is this agent. */
export function ownerIs(vendor: Helpdesk, idVar: string, agentId: number, name: string): Expectation<DemoWorld> {
  return eventually(`${name} recorded as the owner`, ['E1'], async (w, v) => {
    const owner = await w.store.getOwner(ref(vendor, v, idVar));
    return owner?.ownerId === String(agentId) ? ok() : fail(`owner is ${owner?.ownerId ?? 'not recorded'}, expected ${name} (${agentId})`);
  });
}

/** H5: the trail counts this many round trips. */
export function roundTrips(vendor: Helpdesk, idVar: string, expected: number): Expectation<DemoWorld> {
  return eventually(`the handoff trail shows ${expected} round trip(s)`, ['H5'], async (w, v) => {
    const n = countRoundTrips(await w.store.listHandoffs(ref(vendor, v, idVar)));
    return n === expected ? ok() : fail(`${n} round trip(s) on the trail`);
  });
}

/** A private note by helpdesk-sync on the ticket that cites the rule and says the given words. */
export function policyNote(vendor: Helpdesk, idVar: string, ruleId: string, words: string): Expectation<DemoWorld> {
  return eventually(`helpdesk-sync left a private note citing ${ruleId}`, [ruleId], async (w, v) => {
    const id = num(v, idVar);
    const bodies =
      vendor === 'zendesk'
        ? w.sandboxes.zendesk.comments(id).filter((c) => c.authorId === ZENDESK_AGENTS.integration.id && !c.public).map((c) => c.plainBody)
        : w.sandboxes.freshdesk.conversations(id).filter((c) => c.userId === FRESHDESK_AGENTS.integration.id && c.private).map((c) => c.bodyText);
    const hit = bodies.find((b) => b.includes(`rule ${ruleId}`) && b.includes(words));
    return hit ? ok() : fail(`no note with "rule ${ruleId}" and "${words}" among ${bodies.length} note(s) by helpdesk-sync`);
  });
}

/** A correction as the vendor shows it: polled until the ticket holds the expected state. */
export const correctedAtVendor = eventually;
