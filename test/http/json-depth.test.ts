import request from 'supertest';
import { createApp } from '../../src/http/app';
import { jsonDepthExceeds } from '../../src/intake/json-depth';
import { createLogger } from '../../src/logging/logger';
import { memoryStore, testConfig } from '../helpers/app';
import { SECRETS } from '../helpers/env';
import { fixtureText } from '../helpers/fixtures';
import { jiraSignature } from '../helpers/sign';

const logger = createLogger({ level: 'silent' });

/** The Jira issue_updated fixture with `levels` of nested arrays in one custom field's value. */
function nested(levels: number): string {
  const body = JSON.parse(fixtureText('webhooks/jira-issue-updated.json')) as { issue: { fields: Record<string, unknown> } };
  body.issue.fields.customfield_10099 = '@';
  // Built as text: building it as an object and stringifying it is what overflows.
  return JSON.stringify(body).replace('"@"', `${'['.repeat(levels)}1${']'.repeat(levels)}`);
}

const post = (app: ReturnType<typeof createApp>, body: string, delivery: string) =>
  request(app)
    .post('/webhooks/jira')
    .set('Content-Type', 'application/json')
    .set('X-Hub-Signature', jiraSignature(SECRETS.jiraWebhook, body))
    .set('X-Atlassian-Webhook-Identifier', delivery)
    .send(body);

describe('webhook bodies nested too deeply (server.maxJsonDepth)', () => {
  it('refuses a validly signed body nested 10,000 levels deep with 413, every time, and stores nothing', async () => {
    const store = memoryStore();
    const app = createApp({ loaded: testConfig(), store, logger });
    const body = nested(10_000);
    for (let i = 0; i < 2; i += 1) {
      const res = await post(app, body, 'b1f0c3a2-5d6e-4f70-8a91-2b3c4d5e6f70');
      expect(res.status).toBe(413);
      expect(res.body.error).toMatch(/more than 128 levels deep \(server\.maxJsonDepth\)/);
    }
    expect(await store.listEvents({})).toEqual([]);
  });

  it('takes a body within the limit, and the limit is configurable', async () => {
    const store = memoryStore();
    const app = createApp({ loaded: testConfig(), store, logger });
    expect((await post(app, nested(100), 'c2a1d4b3-6e7f-4081-9ba2-3c4d5e6f7081')).status).toBe(202);
    const strict = createApp({ loaded: testConfig({}, 'server:\n  maxJsonDepth: 16\n'), store: memoryStore(), logger });
    const res = await post(strict, nested(20), 'd3b2e5c4-7f80-4192-acb3-4d5e6f708192');
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/more than 16 levels/);
  });
});

describe('jsonDepthExceeds', () => {
  it.each([
    [1, 0, false],
    [null, 0, false],
    [{}, 0, true],
    [{}, 1, false],
    [{ a: [{ b: 1 }] }, 2, true],
    [{ a: [{ b: 1 }] }, 3, false],
    [[[], [[[]]]], 3, true],
    [[[], [[[]]]], 4, false],
  ])('%j deeper than %i: %s', (value, limit, expected) => {
    expect(jsonDepthExceeds(value, limit)).toBe(expected);
  });
});
