/**
 * Secrets never reach a log line. Two nets: values registered as secret (every token,
 * password and webhook secret the config holds) are masked wherever they appear, and keys that
 * name credentials are masked whatever their value.
 */

const SENSITIVE_KEY = /(authorization|password|passwd|secret|token|api[-_]?key|cookie|signature)/i;
export const MASK = '[REDACTED]';

export class SecretRegistry {
  private readonly values = new Set<string>();
  /** What to mask, longest first, so a secret that contains another is masked whole. */
  private patterns: string[] = [];

  add(value: string | undefined | null): void {
    // Very short values would mask ordinary words; config refuses secrets that short anyway.
    if (!value || value.length < 4 || this.values.has(value)) return;
    this.values.add(value);
    this.patterns = [...new Set([...this.patterns, value, ...base64Spellings(value)])].sort((a, b) => b.length - a.length);
  }

  maskString(text: string): string {
    let out = text;
    for (const pattern of this.patterns) {
      if (out.includes(pattern)) out = out.split(pattern).join(MASK);
    }
    return out;
  }

  redact(value: unknown, depth = 0): unknown {
    // Past this depth (or in a cycle), strings are still masked; structures are not walked or returned.
    if (depth > 8) return typeof value === 'string' ? this.maskString(value) : value && typeof value === 'object' ? '[Truncated]' : value;
    if (typeof value === 'string') return this.maskString(value);
    if (Array.isArray(value)) return value.map((v) => this.redact(v, depth + 1));
    if (value instanceof Error) {
      return { name: value.name, message: this.maskString(value.message) };
    }
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        out[k] = SENSITIVE_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' ? MASK : this.redact(v, depth + 1);
      }
      return out;
    }
    return value;
  }
}

/**
 * Basic auth headers carry secrets base64-encoded inside `user:secret`, so the secret may start
 * at any byte offset of a 3-byte group. For each of the three alignments, the base64 characters
 * that depend on the secret's bytes alone: the first group is dropped when it mixes in a prefix,
 * the last one when it is partial (it depends on what follows).
 */
function base64Spellings(secret: string): string[] {
  const bytes = Buffer.from(secret);
  // The secret encoded alone, as before: its unpadded tail included.
  const alone = bytes.toString('base64').replace(/=+$/, '');
  const out: string[] = alone.length >= 6 ? [alone] : [];
  for (let offset = 0; offset < 3; offset++) {
    const total = offset + bytes.length;
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const start = offset === 0 ? 0 : 4;
    const end = Math.floor(total / 3) * 4;
    const core = encoded.slice(start, end);
    if (core.length >= 8) out.push(core);
  }
  return out;
}

/** The process-wide registry: config registers every secret it loads. */
export const secrets = new SecretRegistry();
