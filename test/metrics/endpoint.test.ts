import { endpointTemplate, templatePath } from '../../src/metrics/endpoint';
import { cursorTime, webhookOutcome } from '../../src/metrics/registry';

describe('endpoint templates for the vendor call metric', () => {
  it.each([
    ['/api/v2/tickets/90417/comments.json?page=2', '/api/v2/tickets/{id}/comments.json'],
    ['/api/v2/tickets/90417.json?include=users,organizations', '/api/v2/tickets/{id}.json'],
    ['/rest/api/3/issue/SUP-20/transitions', '/rest/api/3/issue/{id}/transitions'],
    ['/rest/api/3/issue/10002', '/rest/api/3/issue/{id}'],
    ['/rest/api/3/issue/SUP-20/properties/middleware.sync', '/rest/api/3/issue/{id}/properties/middleware.sync'],
    ['/rest/api/3/issue/SUP-311/comment?startAt=50&maxResults=50', '/rest/api/3/issue/{id}/comment'],
    ['/rest/api/3/search/jql', '/rest/api/3/search/jql'],
    ['/api/v2/incremental/tickets/cursor.json?cursor=MTczNjM0NjMzMC4wfHwxMjM0NXw%3D', '/api/v2/incremental/tickets/cursor.json'],
    ['/api/v2/users/8447388090495.json', '/api/v2/users/{id}.json'],
    ['/api/v2/agents/43009817221', '/api/v2/agents/{id}'],
    ['https://acme.freshdesk.com/api/v2/tickets/4821/conversations?per_page=100&page=2', '/api/v2/tickets/{id}/conversations'],
    ['/api/v2/tickets?updated_since=2025-01-08T14:00:00Z&page=3', '/api/v2/tickets'],
    ['/rest/api/3/user/5b10a2844c20165700ede21g', '/rest/api/3/user/{id}'],
    ['/x/3f2b8c1e-9d4a-4e6f-8b7c-1a2b3c4d5e6f/y', '/x/{id}/y'],
  ])('%s -> %s', (url, template) => {
    expect(templatePath(url)).toBe(template);
  });

  it('puts the method in front', () => {
    expect(endpointTemplate('get', '/api/v2/tickets/90417.json')).toBe('GET /api/v2/tickets/{id}.json');
  });
});

describe('webhook outcomes', () => {
  it.each([
    [202, { status: 'accepted', eventId: 7 }, 'accepted'],
    [200, { status: 'duplicate', eventId: 7 }, 'duplicate'],
    [200, { status: 'ignored', reason: 'not a ticket event' }, 'ignored'],
    [401, { error: 'signature mismatch' }, 'refused_401'],
    [413, undefined, 'refused_413'],
    [503, { error: 'disabled' }, 'unavailable_503'],
  ])('%i %j -> %s', (status, body, outcome) => {
    expect(webhookOutcome(status, body as Record<string, unknown> | undefined)).toBe(outcome);
  });
});

describe('time cursors', () => {
  it('reads the instants of Freshdesk and Jira poll cursors and leaves opaque ones out', () => {
    expect(cursorTime('2025-01-08T14:20:31Z')).toBe(Date.parse('2025-01-08T14:20:31Z'));
    expect(cursorTime('2025-01-08T14:20:31.000+0000')).toBe(Date.parse('2025-01-08T14:20:31Z'));
    expect(cursorTime('c2VxOjA=')).toBeNull();
    expect(cursorTime('1736346330')).toBeNull();
    expect(cursorTime('{"since":"2025-01-01T00:00:00Z","position":null,"after":null,"complete":false}')).toBeNull();
  });
});
