import { triggeredEventOf } from '../../../src/sandbox/freshdesk/automations';
import type { CanonicalStatus } from '../../../src/domain/ticket';
import { freshdeskEventFacts } from '../../../src/vendors/freshdesk/event-facts';
import { fixture } from '../../helpers/fixtures';

/** Bodies a real Freshdesk account delivered (test/fixtures/README.md). */
const captured = (file: string): unknown => fixture(`captured/freshdesk-webhooks/${file}`);

const CUSTOM: Record<string, CanonicalStatus> = { '6': 'pending', '32': 'on_hold' };
const NOTHING = { actorId: null, updatedAt: null, created: false };

/** The README template as an automation rule renders it. */
const readmeBody = (triggered: string, event = 'ticket_updated') => ({
  ...fixture<Record<string, string>>('webhooks/freshdesk-group-moved.json'),
  event,
  triggered_event: triggered,
});

describe('freshdeskEventFacts', () => {
  it('reads a group move from the README template', () => {
    expect(freshdeskEventFacts(fixture('webhooks/freshdesk-group-moved.json'))).toEqual({
      ...NOTHING,
      group: { from: '43000612001', to: '43000612002' },
    });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['an agent assignment', '{responder_id:{from:43009817221,to:43009817999}}', { assignee: { from: '43009817221', to: '43009817999' } }],
    ['an unassignment', '{responder_id:{from:43009817221,to:null}}', { assignee: { from: '43009817221', to: null } }],
    ['a group set on an ungrouped ticket', '{group_id:{from:null,to:43000612002}}', { group: { from: null, to: '43000612002' } }],
    ['a built-in status move', '{status:{from:2,to:3}}', { status: { from: 'open', to: 'pending' } }],
    ['a move to a configured custom status', '{status:{from:4,to:6}}', { status: { from: 'resolved', to: 'pending' } }],
    ['a move to an unconfigured custom status', '{status:{from:32,to:33}}', { status: { from: 'on_hold', to: null } }],
    ['a status rendered as labels', '{status:{from:Open,to:Resolved}}', { status: { from: 'open', to: 'resolved' } }],
    ['a priority move', '{priority:{from:1,to:3}}', { priority: { from: 'low', to: 'high' } }],
    ['a priority move to urgent', '{priority:{from:2,to:4}}', { priority: { from: 'normal', to: 'urgent' } }],
  ])('reads %s', (_name, triggered, moves) => {
    expect(freshdeskEventFacts(readmeBody(triggered), CUSTOM)).toEqual({ ...NOTHING, ...moves });
  });

  it.each<[string, string]>([
    ['a note', '{note_type:private}'],
    ['a reply', '{reply_sent:sent}'],
    ['tags', '{tags:{added:[vip],removed:[]}}'],
    ['a malformed rendering', '{status:{from:2,to:3}'],
    ['a rule without the placeholder rendered', '{{triggered_event}}'],
  ])('says nothing for %s', (_name, triggered) => {
    expect(freshdeskEventFacts(readmeBody(triggered))).toEqual(NOTHING);
  });

  it('reads the creation from the creation rule, by its event or its triggered_event', () => {
    expect(freshdeskEventFacts(readmeBody('{ticket_action:created}', 'ticket_created'))).toEqual({ ...NOTHING, created: true });
    expect(freshdeskEventFacts(readmeBody('', 'ticket_created'))).toEqual({ ...NOTHING, created: true });
  });

  it('takes no time from a template date that names no zone', () => {
    expect(freshdeskEventFacts(fixture('webhooks/freshdesk-ticket-updated.json'))).toEqual(NOTHING);
    expect(freshdeskEventFacts({ ...readmeBody(''), updated_at: '2025-03-03T09:14:07Z' })).toMatchObject({ updatedAt: '2025-03-03T09:14:07.000Z' });
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', '{status:{from:2,to:3}}'],
    ['an array', [{ ticket_id: '4821' }]],
    ['a body with neither ticket_id nor triggered_event', { event: 'ticket_updated', subject: 'Cannot export invoices' }],
  ])('does not understand %s', (_name, body) => {
    expect(freshdeskEventFacts(body)).toBeNull();
  });

  it('reads what the Freshdesk sandbox renders for each kind of change', () => {
    const facts = (field: string, from: unknown, to: unknown) =>
      freshdeskEventFacts({ ticket_id: '1001', triggered_event: triggeredEventOf([{ field, from, to }]) }, CUSTOM);
    expect(facts('group_id', null, 43000612002)).toMatchObject({ group: { from: null, to: '43000612002' } });
    expect(facts('responder_id', 43009817221, null)).toMatchObject({ assignee: { from: '43009817221', to: null } });
    expect(facts('status', 2, 6)).toMatchObject({ status: { from: 'open', to: 'pending' } });
    expect(facts('priority', 1, 4)).toMatchObject({ priority: { from: 'low', to: 'urgent' } });
  });
});

describe('freshdeskEventFacts on real bodies (test/fixtures/captured/freshdesk-webhooks)', () => {
  it('reads the classic freshdesk_webhook wrapper', () => {
    expect(freshdeskEventFacts(captured('ticket_created.json'))).toEqual({ ...NOTHING, created: true });
    expect(freshdeskEventFacts(captured('status_changed.json'), CUSTOM)).toEqual({ ...NOTHING, status: { from: 'resolved', to: 'pending' } });
    expect(freshdeskEventFacts(captured('status_changed.json'))).toEqual({ ...NOTHING, status: { from: 'resolved', to: null } });
    expect(freshdeskEventFacts(captured('public_note.json'))).toEqual(NOTHING);
  });
});
