import type { CanonicalPriority } from '../domain/ticket';
import { customFieldText } from '../jira/sections';
import { actionKey, decision, guardCorrection, mode, reversedDecision, type PolicyContext } from './context';
import { duplicateNote, freeMailNote, organisationNote, priorityNote, unsupportedOrganisationNote } from './notes';
import type { EarlierTicket, PolicyAction, PolicyDecision, PolicyRuleId } from './types';

export function emailDomain(email: string | null | undefined): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 0) return null;
  const domain = email.slice(at + 1).trim().toLowerCase();
  return domain === '' ? null : domain;
}

function decidedBefore(ctx: PolicyContext, rule: PolicyRuleId): boolean {
  return ctx.input.history.decisions.some((d) => d.ruleId === rule);
}

/** T1: a free-mail requester is flagged, never dropped. Judged once per requester address. */
export function requesterDomain(ctx: PolicyContext): PolicyDecision[] {
  const m = mode(ctx, 'T1');
  if (m === 'off') return [];
  const email = ctx.ticket.requester?.email ?? null;
  const domain = emailDomain(email);
  if (domain === null) return [];
  const requesterChanged = !!ctx.previous && ctx.previous.requester?.email !== email;
  if (decidedBefore(ctx, 'T1') && !requesterChanged) return [];
  const tag = ctx.settings.unverifiedDomainTag;
  if (!ctx.settings.freeMailDomains.includes(domain)) return [decision('T1', 'ok', null, `requester domain ${domain} is an employer domain`)];
  if (ctx.ticket.tags.includes(tag)) return [];
  const anchor = `requester:${email}`;
  const actions: PolicyAction[] = [];
  if (m === 'enforce') actions.push({ kind: 'addTag', idempotencyKey: actionKey(ctx, 'T1', anchor, 'addTag'), tag });
  actions.push({ kind: 'privateNote', idempotencyKey: actionKey(ctx, 'T1', anchor, 'privateNote'), html: freeMailNote(domain, m === 'enforce' ? tag : null) });
  return [decision('T1', 'violation', null, `requester writes from free-mail domain ${domain}${m === 'enforce' ? `; tagged ${tag}` : ''}`, actions)];
}

function organisationsFor(ctx: PolicyContext): Array<{ id: string; name: string; domains: readonly string[] }> {
  const configured = (ctx.roles?.supportedOrganisations ?? []).map((o) => ({ id: o.id, name: `organisation ${o.id}`, domains: o.domains }));
  const vendor = (ctx.input.organisations ?? []).map((o) => ({ id: o.id, name: o.name ?? `organisation ${o.id}`, domains: o.domains.map((d) => d.toLowerCase()) }));
  // The vendor's answer names the organisation; config only lists which ones are supported.
  return [...vendor, ...configured.filter((c) => !vendor.some((v) => v.id === c.id))];
}

/** T2: a requester without an organisation is matched by email domain; an unknown domain is tagged. */
export function organisationByDomain(ctx: PolicyContext): PolicyDecision[] {
  const m = mode(ctx, 'T2');
  if (m === 'off') return [];
  const orgs = organisationsFor(ctx);
  // Nothing configured or known: every domain would look unsupported, so the rule waits for config.
  if (orgs.length === 0) return [];
  const { ticket, previous } = ctx;
  const hasOrganisation = ticket.organisation !== null || !!ticket.requester?.organisationId;
  const undone = !!previous && previous.organisation !== null && ticket.organisation === null;
  if (decidedBefore(ctx, 'T2') && !undone) return [];
  if (hasOrganisation) return [decision('T2', 'ok', null, `requester belongs to ${ticket.organisation?.name ?? 'an organisation'}`)];
  const domain = emailDomain(ticket.requester?.email);
  if (domain === null) return [];
  const match = orgs.find((o) => o.domains.includes(domain));
  if (!match) {
    const tag = ctx.settings.unsupportedOrganisationTag;
    if (ticket.tags.includes(tag)) return [];
    const actions: PolicyAction[] = [];
    if (m === 'enforce') actions.push({ kind: 'addTag', idempotencyKey: actionKey(ctx, 'T2', `domain:${domain}`, 'addTag'), tag });
    actions.push({ kind: 'privateNote', idempotencyKey: actionKey(ctx, 'T2', `domain:${domain}`, 'privateNote'), html: unsupportedOrganisationNote(domain, m === 'enforce' ? tag : null) });
    return [decision('T2', 'violation', null, `${domain} matches no supported organisation`, actions)];
  }
  const anchor = `organisation:${match.id}`;
  const key = actionKey(ctx, 'T2', anchor, m === 'enforce' ? 'setOrganisation' : 'privateNote');
  const guard = guardCorrection(ctx, 'T2', key, null, undone);
  if (guard === 'done') return [];
  if (guard === 'reversed') return [reversedDecision('T2', null)];
  const note = { kind: 'privateNote' as const, idempotencyKey: actionKey(ctx, 'T2', anchor, 'privateNote'), html: organisationNote(domain, match.name, m === 'enforce') };
  if (m === 'warn') return [decision('T2', 'violation', null, `requester has no organisation; ${domain} belongs to ${match.name}`, [note])];
  return [
    decision('T2', 'corrected', null, `requester had no organisation; set to ${match.name} by domain ${domain}`, [
      { kind: 'setOrganisation', idempotencyKey: key, organisationId: match.id },
      note,
    ]),
  ];
}

function fieldValue(ctx: PolicyContext, field: string | undefined, ticket = ctx.ticket): string | null {
  if (field === undefined || field === '') return null;
  const text = customFieldText(ticket.customFields[field]);
  return text === null ? null : text.trim().toLowerCase();
}

/** T3: priority = matrix(impact, urgency) once both are known. */
export function priorityMatrix(ctx: PolicyContext): PolicyDecision[] {
  const m = mode(ctx, 'T3');
  if (m === 'off') return [];
  const config = ctx.settings.priorityMatrix;
  const fields = config.fields[ctx.ticket.vendor];
  const impact = fieldValue(ctx, fields.impact);
  const urgency = fieldValue(ctx, fields.urgency);
  if (impact === null || urgency === null) return [];
  const level = config.matrix[impact]?.[urgency];
  if (level === undefined) return [];
  const expected: CanonicalPriority = config.levels[level];
  const { previous, ticket } = ctx;
  const inputsChanged = !previous || fieldValue(ctx, fields.impact, previous) !== impact || fieldValue(ctx, fields.urgency, previous) !== urgency;
  const priorityChanged = !!previous && previous.priority !== ticket.priority;
  if (!inputsChanged && !priorityChanged && ctx.input.history.decisions.some((d) => d.ruleId === 'T3')) return [];
  if (ticket.priority === expected) return [decision('T3', 'ok', ctx.actorId, `priority ${expected} matches ${level} for impact ${impact}, urgency ${urgency}`)];
  const anchor = `${impact}|${urgency}`;
  const key = actionKey(ctx, 'T3', anchor, m === 'enforce' ? 'setPriority' : 'privateNote');
  // Reversed: the agent moved the priority away from the one we set for these same inputs.
  const guard = guardCorrection(ctx, 'T3', key, null, priorityChanged && !inputsChanged);
  if (guard === 'done') return [];
  if (guard === 'reversed') return [reversedDecision('T3', ctx.actorId)];
  const note = { kind: 'privateNote' as const, idempotencyKey: actionKey(ctx, 'T3', anchor, 'privateNote'), html: priorityNote(level, expected, impact, urgency, m === 'enforce') };
  const summary = `impact ${impact} and urgency ${urgency} give ${level} (${expected}); the ticket had ${ticket.priority ?? 'no priority'}`;
  if (m === 'warn') return [decision('T3', 'violation', ctx.actorId, summary, [note])];
  return [decision('T3', 'corrected', ctx.actorId, `${summary}; set to ${expected}`, [{ kind: 'setPriority', idempotencyKey: key, priority: expected, level }, note])];
}

const STOP_WORDS = new Set(['a', 'an', 'the', 'and', 'or', 'of', 'to', 'in', 'on', 'for', 'with', 'is', 'it', 'my', 'our', 'we', 'i', 'not', 'please']);

/** Subject words, without reply prefixes and filler. */
export function subjectWords(subject: string): Set<string> {
  const bare = subject.toLowerCase().replace(/^\s*((re|fw|fwd|aw|sv)\s*:\s*)+/i, '');
  return new Set(bare.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '' && !STOP_WORDS.has(w)));
}

/** Jaccard similarity of the subjects' words, 0..1. */
export function subjectSimilarity(a: string, b: string): number {
  const x = subjectWords(a);
  const y = subjectWords(b);
  if (x.size === 0 || y.size === 0) return 0;
  let common = 0;
  for (const w of x) if (y.has(w)) common += 1;
  return common / (x.size + y.size - common);
}

/** T4: same requester, similar subject, within the window: tag and name the earlier ticket. */
export function possibleDuplicate(ctx: PolicyContext): PolicyDecision[] {
  const m = mode(ctx, 'T4');
  if (m === 'off') return [];
  const recent = ctx.input.recentTicketsOfRequester;
  if (recent === undefined) return [];
  if (!ctx.input.changes.isNew && decidedBefore(ctx, 'T4')) return [];
  const tag = ctx.settings.possibleDuplicateTag;
  if (ctx.ticket.tags.includes(tag)) return [];
  const created = new Date(ctx.ticket.createdAt).getTime();
  const windowMs = ctx.settings.duplicateWindowHours * 3_600_000;
  const candidates = recent
    .filter((r: EarlierTicket) => r.id !== ctx.ticket.id)
    .map((r) => ({ ticket: r, at: new Date(r.createdAt).getTime(), score: subjectSimilarity(r.subject, ctx.ticket.subject) }))
    .filter((c) => c.at <= created && created - c.at <= windowMs && c.score >= ctx.settings.duplicateSimilarity)
    .sort((a, b) => b.score - a.score || b.at - a.at);
  const best = candidates[0];
  if (!best) return [decision('T4', 'ok', null, 'no similar ticket from this requester within the window')];
  const anchor = `earlier:${best.ticket.id}`;
  const actions: PolicyAction[] = [];
  if (m === 'enforce') actions.push({ kind: 'addTag', idempotencyKey: actionKey(ctx, 'T4', anchor, 'addTag'), tag });
  actions.push({ kind: 'privateNote', idempotencyKey: actionKey(ctx, 'T4', anchor, 'privateNote'), html: duplicateNote(best.ticket, m === 'enforce' ? tag : null) });
  return [decision('T4', 'info', null, `possible duplicate of #${best.ticket.id} ("${best.ticket.subject}")`, actions)];
}

export function triage(ctx: PolicyContext): PolicyDecision[] {
  return [...requesterDomain(ctx), ...organisationByDomain(ctx), ...priorityMatrix(ctx), ...possibleDuplicate(ctx)];
}
