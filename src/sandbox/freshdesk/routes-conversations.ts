import { REPLY_SENT_EVENT, noteEvent } from './automations';
import { BodyReader, jsonBody, pathId } from './body-reader';
import { invalidValue } from './errors';
import { addConversation } from './operations';
import { pageOf, readPage } from './pagination';
import { API, ticketOr404, type FreshdeskRoutes } from './routes-context';
import type { FreshdeskState } from './state';
import { EMAIL_PATTERN } from './ticket-fields';
import { conversationWire } from './wire';

const NOTE_FIELDS = ['body', 'private', 'incoming', 'user_id', 'notify_emails'];
const REPLY_FIELDS = ['body', 'user_id', 'from_email', 'cc_emails', 'bcc_emails'];

/**
 * Replies and notes (POST /tickets/{id}/reply and /notes, GET /tickets/{id}/conversations). A note's author defaults to the caller; `incoming: true`
 * with the requester's user_id is how a customer's message is played through the API. A reply
 * is public, by the calling agent unless user_id names another agent, and is sent to the
 * requester.
 */
export function registerConversationRoutes(routes: FreshdeskRoutes): void {
  const { http, state, automations } = routes;

  http.route('GET', `${API}/tickets/:id/conversations`, ({ req, res }) => {
    const ticket = ticketOr404(state, pathId(req));
    return pageOf(req, res, state.conversationsOf(ticket.id), readPage(req)).map(conversationWire);
  });

  http.route('POST', `${API}/tickets/:id/notes`, ({ req, res, actor }) => {
    const ticket = ticketOr404(state, pathId(req));
    const reader = new BodyReader(jsonBody(req), NOTE_FIELDS);
    const body = reader.string('body', { required: true });
    const isPrivate = reader.boolean('private') ?? true;
    const incoming = reader.boolean('incoming') ?? false;
    const userId = readUserId(reader, state, 'any') ?? Number(actor);
    const notify = reader.stringArray('notify_emails') ?? [];
    const unknownAgent = notify.find((email) => !state.agentByEmail(email));
    if (unknownAgent !== undefined) reader.fail(invalidValue('notify_emails', `There is no agent with the email ${unknownAgent}`));
    reader.throwIfInvalid();

    const note = addConversation(state, ticket, {
      bodyHtml: body ?? '',
      userId,
      kind: 'note',
      private: isPrivate,
      incoming,
      toEmails: notify,
      ccEmails: [],
    });
    automations.ticketUpdated(ticket, noteEvent(isPrivate));
    res.status(201);
    return conversationWire(note);
  });

  http.route('POST', `${API}/tickets/:id/reply`, ({ req, res, actor }) => {
    const ticket = ticketOr404(state, pathId(req));
    const reader = new BodyReader(jsonBody(req), REPLY_FIELDS);
    const body = reader.string('body', { required: true });
    const userId = readUserId(reader, state, 'agent') ?? Number(actor);
    const fromEmail = reader.string('from_email');
    if (fromEmail !== undefined && !EMAIL_PATTERN.test(fromEmail)) reader.fail(invalidValue('from_email', "It should be in the 'valid email address' format"));
    const cc = reader.stringArray('cc_emails') ?? [];
    reader.stringArray('bcc_emails');
    reader.throwIfInvalid();

    const requesterEmail = state.userEmail(ticket.requesterId);
    const reply = addConversation(state, ticket, {
      bodyHtml: body ?? '',
      userId,
      kind: 'reply',
      private: false,
      incoming: false,
      toEmails: requesterEmail === null ? [] : [requesterEmail],
      ccEmails: cc,
    });
    automations.ticketUpdated(ticket, REPLY_SENT_EVENT);
    res.status(201);
    return conversationWire(reply);
  });
}

/** A note may be written as any user (agent or contact); a reply only as an agent. */
function readUserId(reader: BodyReader, state: FreshdeskState, who: 'any' | 'agent'): number | undefined {
  const userId = reader.integer('user_id');
  if (typeof userId !== 'number') return undefined;
  const known = who === 'agent' ? state.agents.has(userId) : state.agents.has(userId) || state.contacts.has(userId);
  if (known) return userId;
  reader.fail(invalidValue('user_id', who === 'agent' ? 'There is no agent matching the given user_id' : 'There is no contact or agent matching the given user_id'));
  return undefined;
}
