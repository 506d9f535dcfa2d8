import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether an Authorization header carries `Bearer <token>`. Compared in constant time over
 * fixed-length digests, so neither the token's content nor its length leaks through timing.
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer[ \t]+(.+)$/i.exec((authorization ?? '').trim());
  const given = match ? (match[1] as string).trim() : '';
  // Always compare, also when the header is missing or malformed.
  const same = timingSafeEqual(digest(given), digest(token));
  return same && given.length > 0;
}
