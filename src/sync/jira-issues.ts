import type { JiraIssuesConfig } from '../config/schema';
import type { EntityRef, Person, Ticket } from '../domain/ticket';
import { composeIssue, identityLabel, ticketGlobalId, ticketRef } from '../jira/compose';
import { followUpComment, linkNote, missingInfoNote } from '../jira/notes';
import { extractSections } from '../jira/sections';
import { decideKind } from '../jira/trigger';
import type { IssueKind, SectionName, TrailEntry } from '../jira/types';
import type { Logger } from '../logging/logger';
import type { Store, TicketLink } from '../store/types';
import { isVendorApiError } from '../vendors/core/errors';
import type { JiraClientApi } from '../vendors/types';
import { issuesWithLabelJql, ticketRemoteLink } from '../vendors/jira/remote-link';
import type { AdfDoc, IssueTarget } from '../domain/actions';
import { isSigned, refFor, signatureText, signNote } from '../domain/rules';
import { em, paragraph } from '../jira/adf';
import type { VendorClients } from './clients';
import { HELPDESKS, isReconcile, type TicketHandler, type TicketInput } from './dispatcher';
import type { Executor } from './executor';
import { isCircuitOpenError } from '../vendors/core/circuit';
import { PermanentEventError } from './errors';
import { runOnce } from './run-once';
import { m3Key } from '../mirror';

export interface JiraIssueDeps {
  store: Store;
  clients: VendorClients;
  config: JiraIssuesConfig;
  /** The project of the configured Jira connection (JIRA_PROJECT_KEY), if set. */
  projectKey: string | null;
  executor: Executor;
  now?: () => Date;
}

/** A private note helpdesk-sync wrote itself (the J4/J5 note), recognised by its signature line. */
function isOwnNote(comment: Ticket['comments'][number]): boolean {
  return !comment.public && isSigned(comment.bodyText);
}

/** A Jira comment of ours ends with the signature line and the ref of its key. */
function signedComment(body: AdfDoc, rules: string, key: string): AdfDoc {
  return { ...body, content: [...body.content, paragraph(em(signatureText(rules, refFor(key))))] };
}

/** Thrown while an earlier create's outcome is unknown: retried later, never dead on the first try. */
export class CreateOutcomeUnknownError extends Error {}


/**
 * Rules J1-J5 at the edge: decides with the pure composer, writes through the clients, and
 * makes every write safe to repeat. Exactly one issue per ticket (J1) rests on three things:
 * the store's link reservation (one creator at a time), an identity label on the issue (so an
 * attempt whose create call timed out after Jira did the work finds it instead of creating
 * again), and the per-ticket order of the inbox.
 */
export class JiraIssueHandler implements TicketHandler {
  readonly name = 'jira-issues';
  /** Helpdesk events; a reconcile is the mirror's. */
  readonly route = { vendors: HELPDESKS, eventTypes: (t: string) => !isReconcile(t) };

  constructor(private readonly deps: JiraIssueDeps) {}

  private now(): Date {
    return this.deps.now ? this.deps.now() : new Date();
  }

  async handle(input: Pick<TicketInput, 'ticket' | 'logger'> & { event: { id: number } }): Promise<void> {
    const { ticket, logger } = input;
    const { config, store } = this.deps;
    if (!config.enabled) return;
    const ref: EntityRef = { vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id };
    const link = await store.getLinkByTicket(ref);
    if (link?.state === 'linked') {
      await this.keepLinked(ticket, link, logger, input.event.id);
      return;
    }
    if (!link && (await this.adoptStoredKey(ticket, ref, logger, input.event.id))) return;
    const kind = decideKind(ticket, config.triggers);
    if (!kind) return;
    await this.raise(ticket, ref, kind, link, logger, input.event.id);
  }

  /** The Jira key a ticket carries (J4's tag or custom field), from before we knew the ticket. */
  private storedKey(ticket: Ticket): string | null {
    const storage = this.deps.config.keyStorage;
    if (storage.kind === 'customField') {
      const value = String(ticket.customFields[storage.field] ?? '').trim();
      return /^[A-Z][A-Z0-9_]+-\d+$/.test(value) ? value : null;
    }
    const prefix = storage.prefix.toLowerCase();
    const tag = ticket.tags.find((t) => t.toLowerCase().startsWith(prefix));
    const key = tag?.slice(prefix.length).toUpperCase() ?? '';
    return /^[A-Z][A-Z0-9_]+-\d+$/.test(key) ? key : null;
  }

  /**
   * First sight of a ticket that already names its Jira issue (linked before we were installed,
   * or by an earlier store): the link is adopted, never a second issue raised.
   */
  private async adoptStoredKey(ticket: Ticket, ref: EntityRef, logger: Logger, eventId: number): Promise<boolean> {
    const key = this.storedKey(ticket);
    if (!key) return false;
    let issue: { id: string; key: string };
    try {
      issue = await this.jira().getIssue(key);
    } catch (err) {
      if (isVendorApiError(err) && err.notFound) {
        logger.warn('J1: the ticket names a Jira issue that does not exist; not adopted', { issueKey: key });
        return false;
      }
      throw err;
    }
    if (!(await this.deps.store.reserveLink(ref, this.deps.config.jiraConnection, this.now()))) return true;
    const kind = decideKind(ticket, this.deps.config.triggers) ?? 'bug';
    await this.deps.store.completeLink(ref, { issueId: issue.id, issueKey: issue.key, kind, missing: [] }, this.now());
    await this.coveredComments(ticket, ref, issue, 'J1');
    await this.decide(ref, 'J1', 'info', `Adopted ${issue.key}, which the ticket already named; no new issue raised`, eventId, [], `J1:adopted:${ticketGlobalId(ticket)}:${issue.key}`);
    logger.info('J1: adopted the Jira issue the ticket already named', { issueKey: issue.key });
    return true;
  }

  private jira(): JiraClientApi {
    const client = this.deps.clients.jira(this.deps.config.jiraConnection);
    if (!client) {
      throw new PermanentEventError(`J1: cannot raise a Jira issue: jira connection "${this.deps.config.jiraConnection}" has no credentials (set JIRA_URL, JIRA_EMAIL, JIRA_API_TOKEN)`);
    }
    return client;
  }

  /** J1: reserve, look for an issue an earlier attempt may have made, create only if none. */
  private async raise(ticket: Ticket, ref: EntityRef, kind: IssueKind, existing: TicketLink | null, logger: Logger, eventId: number): Promise<void> {
    const { store, config } = this.deps;
    const projectKey = this.deps.projectKey;
    if (!projectKey) throw new PermanentEventError('J1: cannot raise a Jira issue: set JIRA_PROJECT_KEY (the project new issues go to)');
    const jira = this.jira();
    const reserved = await store.reserveLink(ref, config.jiraConnection, this.now());
    let issue: { id: string; key: string } | null = null;
    if (!reserved) {
      issue = await this.findByIdentity(jira, ticket);
      const since = existing?.createdAt ?? (await store.getLinkByTicket(ref))?.createdAt ?? this.now();
      if (!issue && this.now().getTime() - since.getTime() < config.createSettleSeconds * 1000) {
        throw new CreateOutcomeUnknownError(
          `J1: an earlier attempt to raise the Jira issue for ${ticketRef(ticket)} has an unknown outcome; waiting ${config.createSettleSeconds} s for Jira search before creating again`,
        );
      }
    }
    const composed = composeIssue({
      ticket,
      kind,
      owner: await this.internalContact(ticket, ref),
      trail: await this.trail(ref),
      projectKey,
      config,
      now: this.now(),
    });
    if (!issue) {
      try {
        issue = await jira.createIssue({ fields: composed.fields, properties: composed.properties });
      } catch (err) {
        // Jira refused (4xx), or the open circuit kept the call from being sent: nothing was
        // created, so the next attempt may create at once.
        if (isCircuitOpenError(err) || (isVendorApiError(err) && err.status !== null && err.status >= 400 && err.status < 500)) await store.releaseLink(ref);
        throw err;
      }
      logger.info('J1: Jira issue raised', { issueKey: issue.key, kind, missing: composed.missing });
    } else {
      logger.warn('J1: found the issue an earlier attempt raised; linking it instead of creating another', { issueKey: issue.key });
    }
    await store.completeLink(ref, { issueId: issue.id, issueKey: issue.key, kind, missing: composed.missing }, this.now());
    await this.coveredComments(ticket, ref, issue, 'J2');
    await this.decide(ref, 'J1', 'ok', `Raised Jira ${kind === 'bug' ? 'Bug' : 'customer request'} ${issue.key}${composed.truncated ? ' (description shortened to fit Jira)' : ''}`, eventId, [
      { type: 'jira.createIssue', issueKey: issue.key },
    ], `J1:${ticketGlobalId(ticket)}:${issue.key}`);
    if (composed.missing.length) {
      await this.decide(ref, 'J5', 'violation', `Bug raised without ${composed.missing.join(', ')}; labelled ${config.needsInfoLabel}`, eventId, [], `J5:raised:${ticketGlobalId(ticket)}:${issue.key}`);
    }
    const link = (await store.getLinkByTicket(ref)) as TicketLink;
    await this.keepLinked(ticket, link, logger, eventId);
  }

  /**
   * The comments the ticket had when it was linked are in the issue's description (J2), or
   * predate an adopted link: the ledger records them under M3's keys, so the mirror never posts
   * them as comments, whatever their timestamps say.
   */
  private async coveredComments(ticket: Ticket, ref: EntityRef, issue: { id: string }, ruleId: string): Promise<void> {
    const target: EntityRef = { vendor: 'jira', connectionId: this.deps.config.jiraConnection, id: issue.id };
    for (const c of ticket.comments) {
      await this.deps.store.recordExecutedAction({ idempotencyKey: m3Key(ticket, c.id), ticket: ref, kind: 'jira.description', ruleId, target, resultId: null, result: { inDescription: true }, at: this.now() });
    }
  }

  /** The issue an earlier attempt created, found by the identity label it carries. */
  private async findByIdentity(jira: JiraClientApi, ticket: Ticket): Promise<{ id: string; key: string } | null> {
    const page = await jira.searchPage(issuesWithLabelJql(identityLabel(ticket)), ['summary'], null, 5);
    const first = page.issues[0];
    return first ? { id: first.id, key: first.key } : null;
  }

  /**
   * J4 and J5 for a linked ticket, each step skipped when already done, so a crash anywhere in
   * between is repaired by the next event of the ticket (including the echo of our own note).
   */
  private async keepLinked(ticket: Ticket, link: TicketLink, logger: Logger, eventId: number): Promise<void> {
    const key = link.issueKey as string;
    const ref: EntityRef = { vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id };
    const jira = this.jira();
    const url = `${this.jiraBaseUrl(key)}`;
    await runOnce(this.deps.store, `J4:remote-link:${ticketGlobalId(ticket)}`, { ticket: ref, kind: 'J4:remote-link', at: () => this.now() }, async () => {
      await jira.addRemoteLink(key, ticketRemoteLink(ticket, ticketGlobalId(ticket), `${ticketRef(ticket)} ${ticket.subject}`));
    });
    await this.noteAndKey(ticket, link, url, logger);
    await this.followUpMissing(ticket, link, eventId, logger);
  }

  private jiraBaseUrl(key: string): string {
    return this.deps.clients.jiraBrowseUrl(this.deps.config.jiraConnection, key);
  }

  /**
   * J4 (and J5's note to the owner): one private note, with the key stored in the same write.
   * The ledger, not the ticket's text, says whether the note was written: a note naming SUP-31
   * is not the note for SUP-3.
   */
  private async noteAndKey(ticket: Ticket, link: TicketLink, url: string, logger: Logger): Promise<void> {
    const key = link.issueKey as string;
    const ref: EntityRef = { vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id };
    const storage = this.deps.config.keyStorage;
    const keyTag = storage.kind === 'tag' ? `${storage.prefix}${key}` : null;
    const hasKey =
      storage.kind === 'tag'
        ? ticket.tags.some((t) => t.toLowerCase() === (keyTag as string).toLowerCase())
        : String(ticket.customFields[storage.field] ?? '') === key;
    const noteKey = `J4:note:${ticketGlobalId(ticket)}:${key}`;
    const noteDone = (await this.deps.store.getExecutedAction(noteKey))?.state === 'done';
    if (noteDone && hasKey) return;
    const keepKey = {
      ...(keyTag && !hasKey ? { addTags: [keyTag] } : {}),
      ...(storage.kind === 'customField' && !hasKey ? { customFields: { [storage.field]: key } } : {}),
    };
    if (!noteDone) {
      const missing = link.missing as SectionName[];
      const body = linkNote(key, url, (link.kind as IssueKind | null) ?? 'bug') + (missing.length ? missingInfoNote(missing, key, url) : '');
      const outcome = await this.deps.executor.run(
        { kind: 'helpdesk.note', key: noteKey, rule: 'J4', ticket: ref, html: signNote(body, missing.length ? 'J4, J5' : 'J4', refFor(noteKey)), also: keepKey },
        { ticket, logger },
      );
      if (outcome.status === 'written') logger.info('J4: ticket notified and linked', { issueKey: key });
      if (outcome.status !== 'found' || hasKey) return;
    }
    // The note is there but the key is not (removed by someone, or a note found after a lost answer).
    await this.deps.executor.run(
      {
        kind: 'helpdesk.update',
        key: `J4:key:${ticketGlobalId(ticket)}:${key}:${ticket.updatedAt}`,
        rule: 'J4',
        ticket: ref,
        patch: storage.kind === 'tag' ? { tags: { add: [keyTag as string] } } : { customFields: { [storage.field]: key } },
      },
      { ticket, logger },
    );
  }

  /** J5: missing sections that have since arrived go to Jira as a comment; needs-info goes once none is left. */
  private async followUpMissing(ticket: Ticket, link: TicketLink, eventId: number, logger: Logger): Promise<void> {
    const missing = link.missing as SectionName[];
    if (!missing.length) return;
    // Our own J5 note names the headings it asks for; read as a section it would "answer" itself.
    const theirs: Ticket = { ...ticket, comments: ticket.comments.filter((c) => !isOwnNote(c)) };
    const sections = extractSections(theirs, this.deps.config.sectionFields[ticket.vendor]);
    const arrived = missing.filter((name) => sections[name]);
    if (!arrived.length) return;
    const key = link.issueKey as string;
    const ref: EntityRef = { vendor: ticket.vendor, connectionId: ticket.connectionId, id: ticket.id };
    const issue: IssueTarget = { connectionId: this.deps.config.jiraConnection, id: link.issueId as string, key };
    const commentKey = `J5:follow-up:${key}:${arrived.join(',')}`;
    const body = signedComment(followUpComment(Object.fromEntries(arrived.map((n) => [n, sections[n]]))) as AdfDoc, 'J5', commentKey);
    await this.deps.executor.run({ kind: 'jira.comment', key: commentKey, rule: 'J5', ticket: ref, issue, body }, { ticket, logger });
    const still = missing.filter((name) => !sections[name]);
    if (!still.length) {
      await this.deps.executor.run(
        { kind: 'jira.edit', key: `J5:needs-info-done:${key}`, rule: 'J5', ticket: ref, issue, update: { labels: [{ remove: this.deps.config.needsInfoLabel }] } },
        { ticket, logger },
      );
    }
    await this.deps.store.setLinkMissing(ref, still, this.now());
    await this.decide(ref, 'J5', still.length ? 'violation' : 'ok', still.length ? `Added ${arrived.join(', ')} to ${key}; still missing ${still.join(', ')}` : `Added ${arrived.join(', ')} to ${key}; ${this.deps.config.needsInfoLabel} removed`, eventId, [
      { type: 'jira.addComment', issueKey: key },
    ], commentKey);
  }

  private async decide(ref: EntityRef, ruleId: string, verdict: 'ok' | 'violation' | 'info', summary: string, eventId: number, actions: unknown[], key: string): Promise<void> {
    await this.deps.store.recordDecision({ ticket: ref, ruleId, verdict, actorId: null, at: this.now(), summary, actions, eventId, key });
  }

  /** The internal contact of J2: the recorded owner (E1), else the assignee. */
  private async internalContact(ticket: Ticket, ref: EntityRef): Promise<Person | null> {
    const owner = await this.deps.store.getOwner(ref);
    if (!owner) return ticket.assignee ?? null;
    const known = [ticket.assignee, ...ticket.comments.map((c) => c.author)].find((p) => p?.id === owner.ownerId);
    return known ?? { id: owner.ownerId, name: null, email: null, role: 'agent', organisationId: null };
  }

  private async trail(ref: EntityRef): Promise<TrailEntry[]> {
    const handoffs = await this.deps.store.listHandoffs(ref);
    return handoffs.map((h) => ({
      at: h.at.toISOString(),
      direction: h.direction,
      from: h.fromAssigneeId ?? h.fromGroupId,
      to: h.toAssigneeId ?? h.toGroupId,
      actor: h.actorId,
    }));
  }
}
