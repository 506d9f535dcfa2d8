import { fieldMoveOf, parseTriggeredEvent } from '../../../src/vendors/freshdesk/triggered-event';

describe('parseTriggeredEvent', () => {
  it.each<[string, unknown]>([
    ['{ticket_action:created}', { ticket_action: 'created' }],
    ['{status:{from:4,to:6}}', { status: { from: '4', to: '6' } }],
    ['{group_id:{from:11,to:13}}', { group_id: { from: '11', to: '13' } }],
    ['{responder_id:{from:801,to:802}}', { responder_id: { from: '801', to: '802' } }],
    ['{priority:{from:1,to:3}}', { priority: { from: '1', to: '3' } }],
    ['{group_id:{from:null,to:43000112233}}', { group_id: { from: null, to: '43000112233' } }],
    ['{note_type:public}', { note_type: 'public' }],
    ['{reply_sent:sent}', { reply_sent: 'sent' }],
    ['{tags:{added:[vip,billing],removed:[]}}', { tags: { added: ['vip', 'billing'], removed: [] } }],
    ['{ticket_type:{from:Question,to:Problem}}', { ticket_type: { from: 'Question', to: 'Problem' } }],
    ['  { status : { from : 2 , to : 3 } }  ', { status: { from: '2', to: '3' } }],
    ['{"status":{"from":2,"to":3}}', { status: { from: '2', to: '3' } }],
    ['{status:{from:2,to:3},priority:{from:1,to:4}}', { status: { from: '2', to: '3' }, priority: { from: '1', to: '4' } }],
    ['{}', {}],
  ])('reads %s', (text, expected) => {
    expect(parseTriggeredEvent(text)).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['blank', '   '],
    ['the unrendered placeholder', '{{triggered_event}}'],
    ['not a brace form', 'ticket_updated'],
    ['unclosed', '{status:{from:4,to:6}'],
    ['too many closers', '{status:{from:4,to:6}}}'],
    ['a key without a value', '{status}'],
    ['a missing key', '{:created}'],
    ['an unclosed quote', '{"status:created}'],
    ['an unclosed list', '{tags:{added:[vip,removed:[]}}'],
    ['trailing text', '{ticket_action:created} and more'],
    ['a subject with a comma, which the form cannot carry', '{subject:{from:Hi, there,to:Bye}}'],
    ['nesting past any Freshdesk form', `${'{a:'.repeat(40)}x${'}'.repeat(40)}`],
    ['a number', 42],
    ['null', null],
    ['an object', { status: { from: 4, to: 6 } }],
  ])('gives null for %s, without throwing', (_name, text) => {
    expect(() => parseTriggeredEvent(text)).not.toThrow();
    expect(parseTriggeredEvent(text)).toBeNull();
  });
});

describe('fieldMoveOf', () => {
  const event = parseTriggeredEvent('{status:{from:4,to:},note_type:public,tags:{added:[vip],removed:[]}}');

  it('reads a move, an empty side as null', () => {
    expect(event && fieldMoveOf(event, 'status')).toEqual({ from: '4', to: null });
  });

  it.each(['note_type', 'tags', 'group_id'])('is null for %s, which is not a move', (field) => {
    expect(event && fieldMoveOf(event, field)).toBeNull();
  });
});
