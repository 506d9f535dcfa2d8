import { signatureText } from '../../src/domain/rules';
import type { JiraComment, TicketComment } from '../../src/domain/ticket';
import { isOurJiraChange, isOurJiraComment, isOurTicketChange, isOurTicketComment, writtenKeys, type LedgerView } from '../../src/mirror';
import { at, comment, identity, jiraComment, jiraPeople, ledger, pair, zd } from './fixtures';

const human = (over: Partial<JiraComment> = {}) => jiraComment(jiraPeople.tech1, at(5), 'Found it: the PDF renderer times out.', over);
const agentNote = (over: Partial<TicketComment> = {}) => ({ ...comment(zd.dana, at(5), 'Customer is on the Enterprise plan.'), ...over });

describe('M5 a Jira comment of ours is recognised', () => {
  it.each<[string, JiraComment, LedgerView[], boolean]>([
    ['by our Jira account', human({ authorAccountId: jiraPeople.integration.accountId }), [], true],
    ['by our signature, whoever the author', human({ bodyText: `Mirrored.\n${signatureText('M3', 'abc')}` }), [], true],
    ['by the ledger: the comment our write made', human({ id: '20001' }), [ledger('M3:zendesk:default:7741:comment:1', 'jira.comment', { resultId: '20001' })], true],
    ['not by a helpdesk note that happens to have the same id', human({ id: '20001' }), [ledger('M1:default:10042:comment:1', 'helpdesk.note', { resultId: '20001' })], false],
    ['not a person\'s comment', human(), [], false],
  ])('M5: %s', (_what, c, writes, expected) => {
    expect(isOurJiraComment(c, pair(undefined, { writes }), identity)).toBe(expected);
  });
});

describe('M5 a ticket comment of ours is recognised', () => {
  it.each<[string, TicketComment, LedgerView[], boolean]>([
    ['by our API user', agentNote({ authorId: zd.integration.id, author: zd.integration }), [], true],
    ['by our signature', agentNote({ bodyText: `Priya: on it.\n${signatureText('M1', 'abc')}` }), [], true],
    ['by the ledger: the note our write made', agentNote({ id: '777' }), [ledger('M1:default:10042:comment:9', 'helpdesk.note', { resultId: '777' })], true],
    ['not by a Jira comment that happens to have the same id', agentNote({ id: '777' }), [ledger('M3:zendesk:default:7741:comment:9', 'jira.comment', { resultId: '777' })], false],
    ['not an agent\'s note', agentNote(), [], false],
  ])('M5: %s', (_what, c, writes, expected) => {
    expect(isOurTicketComment(c, pair(undefined, { writes }), identity)).toBe(expected);
  });
});

describe('M5 a field change of ours is recognised', () => {
  const transition = (resultId: string, when: string) => ledger('M4:zendesk:default:7741:x', 'jira.transition', { resultId, at: when });

  it.each<[string, string | null, LedgerView[], string | null, boolean]>([
    ['our Jira account moved it', jiraPeople.integration.accountId, [], at(10), true],
    ['a person moved it, and we had not', jiraPeople.priya.accountId, [transition('Work in progress', at(5))], at(10), false],
    // Our transition's own webhook was finished unread; a person's later event brings it along.
    ['a person\'s event brings along our move since the last kept state', jiraPeople.priya.accountId, [transition('Work in progress', at(20))], at(10), true],
    ['actor unknown, we moved it there since the last kept state', null, [transition('Work in progress', at(20))], at(10), true],
    ['actor unknown, our move there was before the last kept state', null, [transition('Work in progress', at(5))], at(10), false],
    ['actor unknown, we moved it elsewhere', null, [transition('Completed', at(20))], at(10), false],
  ])('M5 Jira: %s', (_what, actorId, writes, savedAt, expected) => {
    expect(isOurJiraChange(pair(undefined, { writes }), actorId, identity, 'jira.transition', 'Work in progress', savedAt)).toBe(expected);
  });

  const update = (ruleId: string, resultId: string, when: string) => ledger(`${ruleId}:x`, 'helpdesk.update', { ruleId, resultId, at: when });

  it.each<[string, string | null, LedgerView[], boolean]>([
    ['our API user changed it', zd.integration.id, [], true],
    ['an agent changed it, and the mirror had not', zd.dana.id, [update('M2', 'status:open', at(2))], false],
    ['an agent\'s event brings along the mirror\'s status write since the last kept state', zd.dana.id, [update('M2', 'status:open', at(20))], true],
    ['actor unknown, M2 set that status since', null, [update('M2', 'status:open', at(20))], true],
    ['actor unknown, M2 set in_progress, which Zendesk shows as open', null, [update('M2', 'status:in_progress', at(20))], true],
    ['actor unknown, a reconcile repair set it', null, [update('M6', 'status:open', at(20))], true],
    ['actor unknown, M2 set it before the last kept state', null, [update('M2', 'status:open', at(2))], false],
    ['actor unknown, the policy engine wrote (not a status of the mirror)', null, [update('E2', 'status:open', at(20))], false],
  ])('M5 ticket: %s', (_what, actorId, writes, expected) => {
    expect(isOurTicketChange(pair(undefined, { writes }), actorId, identity, at(10), 'open')).toBe(expected);
  });
});

describe('the keys already written', () => {
  it('a row still started (its answer lost) is not written: the action is asked for again and the executor finds it by its ref', () => {
    const writes = [ledger('M1:a', 'helpdesk.note'), ledger('M1:b', 'helpdesk.note', { state: 'started' }), ledger('M1:c', 'helpdesk.note', { state: 'done' })];
    expect([...writtenKeys(pair(undefined, { writes }))].sort()).toEqual(['M1:a', 'M1:c']);
  });
});
