import type { DemoWorld } from '../demo-world';
import type { Scenario } from '../scenario';
import { sup20Lifecycle } from './a-sup20-lifecycle';
import { freshdeskLadderBug } from './b-freshdesk-ladder-bug';
import { zendeskTierHandoff } from './c-zendesk-tier-handoff';
import { complaintToManager } from './d-complaint-to-manager';
import { slaBreach } from './e-sla-breach';

/** The escalation scenarios (docs/rules.md), in the order the demo plays them. */
export const SCENARIOS: Scenario<DemoWorld>[] = [sup20Lifecycle, freshdeskLadderBug, zendeskTierHandoff, complaintToManager, slaBreach];
