import type { WriteAction } from '../domain/actions';
import { refFor, refOf } from '../domain/rules';
import type { EntityRef, JiraIssue, Ticket } from '../domain/ticket';
import type { Logger } from '../logging/logger';
import type { ExecutedAction, Store } from '../store/types';
import { isVendorApiError, PartialWriteError } from '../vendors/core/errors';
import type { HelpdeskClient, JiraClientApi } from '../vendors/types';
import type { VendorClients } from './clients';
import { isCircuitOpenError } from '../vendors/core/circuit';
import { PermanentEventError } from './errors';

/** Thrown while another attempt may still be making the same write: the event is retried later. */
export class WriteInFlightError extends Error {}

export interface ExecutorDeps {
  store: Store;
  clients: VendorClients;
  /**
   * How long a write whose outcome is unknown (started, no answer recorded) is left to its
   * attempt before this one looks for it and, not finding it, writes again.
   */
  settleMs: number;
  now?: () => Date;
}

/** What the executor knows of the two sides right now, so it reads nothing it already has. */
export interface ExecutionContext {
  /** The ticket as just fetched, when the event was about it. */
  ticket?: Ticket | null;
  /** The issue as just fetched, when the event was about it. */
  issue?: JiraIssue | null;
  logger: Logger;
}

export type ExecutionOutcome =
  | { status: 'written'; resultId: string | null }
  /** The ledger already holds the write. */
  | { status: 'skipped'; resultId: string | null }
  /** An earlier attempt's write was found at the vendor (its answer had been lost). */
  | { status: 'found'; resultId: string | null }
  /** The write cannot be made as asked (no transition leads to the status); recorded, not retried. */
  | { status: 'impossible'; reason: string };

function targetOf(action: WriteAction): EntityRef {
  return action.kind.startsWith('jira.') && 'issue' in action
    ? { vendor: 'jira', connectionId: action.issue.connectionId, id: action.issue.id }
    : action.ticket;
}

/** The priority an edit set, as `priority:<name>`, so its echo is recognised (M5). */
function priorityNameOf(fields: Record<string, unknown> | undefined): string | null {
  const p = fields?.priority;
  return p && typeof p === 'object' && typeof (p as { name?: unknown }).name === 'string' ? `priority:${(p as { name: string }).name}` : null;
}

/**
 * The vendor certainly did not make the write: it refused the request or asked us to wait
 * (429), or the connection's open circuit kept the request from being sent at all.
 */
function refused(err: unknown): boolean {
  if (isCircuitOpenError(err)) return true;
  return isVendorApiError(err) && (err.kind === 'rate_limited' || (err.kind === 'client' && err.status !== 408));
}

/**
 * The one place writes happen. Each action is made at most once per key: the ledger row is
 * written `started` before the call and `done`, with the vendor's id of the result, after it.
 * A retry that finds a `started` row looks for the write at the vendor (our notes and comments
 * carry the key's ref) before making it again, so an answer lost after the vendor did the work
 * never becomes a second note or comment.
 */
export class Executor {
  constructor(private readonly deps: ExecutorDeps) {}

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  async runAll(actions: readonly WriteAction[], ctx: ExecutionContext): Promise<Map<string, ExecutionOutcome>> {
    const outcomes = new Map<string, ExecutionOutcome>();
    for (const action of actions) outcomes.set(action.key, await this.run(action, ctx));
    return outcomes;
  }

  async run(action: WriteAction, ctx: ExecutionContext): Promise<ExecutionOutcome> {
    const { store } = this.deps;
    let row = await store.getExecutedAction(action.key);
    if (row?.state === 'done') return { status: 'skipped', resultId: row.resultId ?? null };
    if (!row) {
      const claimed = await store.recordExecutedAction({
        idempotencyKey: action.key,
        ticket: action.ticket,
        kind: action.kind,
        ruleId: action.rule,
        target: targetOf(action),
        resultId: null,
        result: null,
        state: 'started',
        at: this.now(),
      });
      if (!claimed) row = await store.getExecutedAction(action.key);
    }
    if (row) {
      if (row.state === 'done') return { status: 'skipped', resultId: row.resultId ?? null };
      const found = await this.findEarlierWrite(action, row, ctx);
      if (found) {
        await store.finishExecutedAction(action.key, { resultId: found.resultId, result: { found: true }, at: this.now() });
        ctx.logger.info('an earlier attempt had made this write; recorded, not repeated', { key: action.key, rule: action.rule });
        return { status: 'found', resultId: found.resultId };
      }
    }
    return this.write(action, ctx);
  }

  private async write(action: WriteAction, ctx: ExecutionContext): Promise<ExecutionOutcome> {
    const { store } = this.deps;
    let outcome: ExecutionOutcome;
    try {
      outcome = await this.perform(action, ctx);
    } catch (err) {
      if (err instanceof PartialWriteError) {
        // The write itself happened (its second call failed): recorded, so it is never repeated;
        // the event retries for the rest.
        await store.finishExecutedAction(action.key, { resultId: err.resultId, result: { partial: true }, at: this.now() });
        ctx.logger.warn('write made, but the update after it failed; recorded, the rest is retried', { key: action.key, error: err.message });
        throw err.failure;
      }
      if (refused(err)) await store.forgetExecutedAction(action.key);
      else if (isVendorApiError(err) && err.kind === 'invalid_response') {
        // The vendor did the work but answered in a shape we did not expect: the write stands.
        ctx.logger.warn('write made, but the answer lacked what we expected; recorded without its result id', { key: action.key, error: err.message });
        await store.finishExecutedAction(action.key, { resultId: null, result: { unreadAnswer: true }, at: this.now() });
        return { status: 'written', resultId: null };
      }
      throw err;
    }
    const resultId = outcome.status === 'impossible' ? null : outcome.resultId;
    await store.finishExecutedAction(action.key, { resultId, result: outcome.status === 'impossible' ? { impossible: outcome.reason } : null, at: this.now() });
    return outcome;
  }

  /**
   * A started row: either another attempt is making the write right now, or an attempt died or
   * lost the answer. Notes and comments are looked for by their ref; other writes set a state,
   * and setting it again does no harm.
   */
  private async findEarlierWrite(action: WriteAction, row: ExecutedAction, ctx: ExecutionContext): Promise<{ resultId: string | null } | null> {
    const young = this.now().getTime() - row.at.getTime() < this.deps.settleMs;
    if (action.kind === 'helpdesk.note' || action.kind === 'jira.comment') {
      const ref = refFor(action.key);
      const found = action.kind === 'helpdesk.note' ? await this.noteWithRef(action.ticket, ref, ctx) : await this.commentWithRef(action, ref, ctx);
      if (found) return { resultId: found };
      if (young) throw new WriteInFlightError(`${action.rule}: another attempt may still be writing ${action.key}; checking again later`);
      return null;
    }
    if (action.kind === 'jira.transition') {
      const issue = await this.freshIssue(action.issue.key, ctx);
      const wanted = action.toStatuses.map((s) => s.toLowerCase());
      if (wanted.includes(issue.status.name.toLowerCase())) return { resultId: issue.status.name };
    }
    return null;
  }

  private async noteWithRef(ref: EntityRef, noteRef: string, ctx: ExecutionContext): Promise<string | null> {
    // The context's ticket was fetched by this attempt, after the one that lost its answer.
    const ticket = ctx.ticket && ctx.ticket.id === ref.id && ctx.ticket.connectionId === ref.connectionId ? ctx.ticket : await this.helpdesk(ref).getTicket(ref.id);
    return ticket.comments.find((c) => refOf(c.bodyText) === noteRef)?.id ?? null;
  }

  private async commentWithRef(action: Extract<WriteAction, { kind: 'jira.comment' }>, ref: string, ctx: ExecutionContext): Promise<string | null> {
    const issue = await this.freshIssue(action.issue.key, ctx);
    return issue.comments.find((c) => refOf(c.bodyText) === ref)?.id ?? null;
  }

  /** The issue as this attempt fetched it, else as Jira has it now. */
  private async freshIssue(key: string, ctx: ExecutionContext): Promise<JiraIssue> {
    if (ctx.issue && ctx.issue.key === key) return ctx.issue;
    return this.jira(ctx, key).getIssue(key);
  }

  private async perform(action: WriteAction, ctx: ExecutionContext): Promise<ExecutionOutcome> {
    switch (action.kind) {
      case 'helpdesk.note': {
        const client = this.helpdesk(action.ticket);
        const current = ctx.ticket && ctx.ticket.id === action.ticket.id ? ctx.ticket : null;
        const wantsAlso = !!(action.also && (action.also.addTags?.length || Object.keys(action.also.customFields ?? {}).length));
        const base = wantsAlso && !current ? await client.getTicket(action.ticket.id) : current;
        const also = wantsAlso && base ? { ...action.also, current: { tags: base.tags, updatedAt: base.updatedAt } } : undefined;
        const note = await client.addPrivateNote(action.ticket.id, action.html, also);
        return { status: 'written', resultId: note.id };
      }
      case 'helpdesk.update':
        await this.helpdesk(action.ticket).updateTicket(action.ticket.id, action.patch);
        // The status it set, so the change is recognised as ours when it comes back (M5).
        return { status: 'written', resultId: action.patch.status ? `status:${action.patch.status}` : null };
      case 'jira.comment': {
        const comment = await this.jira(ctx, action.issue.key, action.issue.connectionId).addComment(action.issue.key, action.body, [
          { key: 'helpdesk-sync', value: { ref: refFor(action.key), rule: action.rule } },
        ]);
        return { status: 'written', resultId: comment.id };
      }
      case 'jira.edit':
        await this.jira(ctx, action.issue.key, action.issue.connectionId).editIssue(action.issue.key, {
          ...(action.fields ? { fields: action.fields } : {}),
          ...(action.update ? { update: action.update } : {}),
        });
        return { status: 'written', resultId: priorityNameOf(action.fields) };
      case 'jira.transition':
        return this.transition(action, ctx);
    }
  }

  /**
   * M4: the transition is found by the status it leads to, in the order of preference given,
   * matched case-insensitively against each transition's `to.name`; never by an id.
   */
  private async transition(action: Extract<WriteAction, { kind: 'jira.transition' }>, ctx: ExecutionContext): Promise<ExecutionOutcome> {
    const jira = this.jira(ctx, action.issue.key, action.issue.connectionId);
    const transitions = await jira.listTransitions(action.issue.key);
    for (const wanted of action.toStatuses) {
      const t = transitions.find((x) => x.to.name.toLowerCase() === wanted.toLowerCase());
      if (!t) continue;
      await jira.doTransition(action.issue.key, t.id, action.comment);
      return { status: 'written', resultId: t.to.name };
    }
    const offered = transitions.map((x) => x.to.name).join(', ') || 'none';
    if (action.comment) await jira.addComment(action.issue.key, action.comment);
    return { status: 'impossible', reason: `no transition of ${action.issue.key} leads to ${action.toStatuses.join(' or ')} (it offers: ${offered})` };
  }

  private helpdesk(ref: EntityRef): HelpdeskClient {
    const client = ref.vendor === 'jira' ? undefined : this.deps.clients.helpdesk(ref.vendor, ref.connectionId);
    if (!client) throw new PermanentEventError(`${ref.vendor} connection "${ref.connectionId}" has no API credentials`);
    return client;
  }

  private jira(ctx: ExecutionContext, key: string, connectionId?: string): JiraClientApi {
    const id = connectionId ?? ctx.issue?.connectionId ?? 'default';
    const client = this.deps.clients.jira(id);
    if (!client) throw new PermanentEventError(`jira connection "${id}" has no API credentials (needed for ${key})`);
    return client;
  }
}
