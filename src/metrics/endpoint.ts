/**
 * A vendor call's route template, for a metric label: the path without scheme, host or query
 * string, every id-looking segment replaced by {id}, so the label has a bounded set of values
 * (`GET /api/v2/tickets/{id}/comments.json`, never the ticket id itself).
 */

/** Segments that name one record rather than a collection or an action. */
function looksLikeId(segment: string): boolean {
  if (segment === '') return false;
  if (/^\d+$/.test(segment)) return true; // 90417
  if (/^[A-Z][A-Z0-9_]*-\d+$/.test(segment)) return true; // Jira issue key SUP-20
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment)) return true; // uuid
  if (/^[0-9a-f]{16,}$/i.test(segment)) return true; // hex ids (Jira account ids)
  // Long opaque tokens with digits in them (cursors, encoded ids); words such as
  // "remotelink" or property keys such as "middleware.sync" have none.
  if (segment.length >= 20 && /\d/.test(segment)) return true;
  return false;
}

function templateSegment(raw: string): string {
  let segment = raw;
  try {
    segment = decodeURIComponent(raw);
  } catch {
    // A malformed escape: judge the raw text.
  }
  if (looksLikeId(segment)) return '{id}';
  // 90417.json: keep the format suffix, template the id.
  const suffixed = /^(.*)(\.(?:json|xml))$/i.exec(segment);
  if (suffixed && looksLikeId(suffixed[1] as string)) return `{id}${suffixed[2] as string}`;
  return raw;
}

/** `/api/v2/tickets/90417/comments.json?page=2` -> `/api/v2/tickets/{id}/comments.json`. */
export function templatePath(url: string): string {
  let path = url.split(/[?#]/)[0] ?? '';
  // Absolute next-page links (Freshdesk's Link header): keep only the path.
  path = path.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  if (!path.startsWith('/')) path = `/${path}`;
  const segments = path.split('/');
  // The API version of Jira's /rest/api/3 is not an id.
  return segments.map((segment, i) => (i > 0 && segments[i - 1] === 'api' && /^\d{1,2}$/.test(segment) ? segment : templateSegment(segment))).join('/');
}

/** `GET /rest/api/3/issue/{id}/transitions`. */
export function endpointTemplate(method: string, url: string): string {
  return `${method.toUpperCase()} ${templatePath(url)}`;
}
