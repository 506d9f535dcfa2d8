/** The escalation policy engine (rules T1-T4, E1-E5, H1-H6 of docs/rules.md; M5 for its own writes). */
export { evaluate, auditDecisions } from './engine';
export { resolveRoles, modeOf, DEFAULT_MODES } from './roles';
export { countRoundTrips } from './handoff';
export { isOwnComment, isPolicyAction } from './echo';
export { NOTE_SIGNATURE } from './notes';
export type * from './types';
