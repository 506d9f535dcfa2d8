import nock from 'nock';
import { createLogger } from '../../../src/logging/logger';
import { CallPacer, setProactiveThrottle } from '../../../src/vendors/core/throttle';
import { ZendeskClient } from '../../../src/vendors/zendesk/client';
import { fixture } from '../../helpers/fixtures';

/** Opt-in proactive throttling in the vendor core: a connection's calls spaced at its budget. */
describe('proactive throttling (opt-in per connection)', () => {
  it('hands out turns evenly, first come first served', () => {
    let now = 1000;
    const pacer = new CallPacer(100, () => now);
    expect([pacer.reserve(), pacer.reserve(), pacer.reserve()]).toEqual([0, 100, 200]);
    now = 1250;
    expect(pacer.reserve()).toBe(50);
    now = 2000;
    expect(pacer.reserve()).toBe(0);
  });

  it('spaces the calls of the one connection it is set for, and no other', async () => {
    nock.disableNetConnect();
    const client = (connectionId: string) =>
      new ZendeskClient({
        connectionId,
        baseUrl: 'https://acme.zendesk.com',
        email: 'integration@acme.io',
        apiToken: 'zd-api-token-Ua73KpLe0',
        timeoutMs: 2000,
        retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1000 },
        logger: createLogger({ level: 'silent' }),
      });
    nock('https://acme.zendesk.com').get('/api/v2/incremental/tickets/cursor.json').query(true).times(10).reply(200, fixture('zendesk/api/incremental-last.json'));
    setProactiveThrottle('zendesk', 'paced', { calls: 10, windowMs: 1000 });
    // Turns taken from any pacer: the free connection must take none (a wall-clock bound on its
    // calls would only measure how busy the machine is).
    const turns = jest.spyOn(CallPacer.prototype, 'reserve');
    try {
      const paced = client('paced');
      const started = Date.now();
      for (let i = 0; i < 5; i += 1) await paced.incrementalTickets({ cursor: 'MTcz' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);
      expect(turns).toHaveBeenCalledTimes(5);
      const free = client('free');
      for (let i = 0; i < 5; i += 1) await free.incrementalTickets({ cursor: 'MTcz' });
      expect(turns).toHaveBeenCalledTimes(5);
    } finally {
      turns.mockRestore();
      setProactiveThrottle('zendesk', 'paced', null);
      nock.cleanAll();
      nock.enableNetConnect();
    }
    expect(() => setProactiveThrottle('zendesk', 'x', { calls: 0, windowMs: 1000 })).toThrow(/calls > 0/);
  });
});
