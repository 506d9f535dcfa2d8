import { createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time equality that does not leak the expected length through an early return path. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    // Compare against itself so a length mismatch costs the same as a content mismatch.
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

export function hmacSha256(secret: string, ...parts: Array<string | Buffer>): Buffer {
  const mac = createHmac('sha256', secret);
  for (const p of parts) mac.update(p);
  return mac.digest();
}
