/**
 * Secrets never reach a log line. Two nets: values registered as secret (every token,
 * password and webhook secret the config holds) are masked wherever they appear, and keys that
 * name credentials are masked whatever their value.
 */

const SENSITIVE_KEY = /(authorization|password|passwd|secret|token|api[-_]?key|cookie|signature)/i;
export const MASK = '[REDACTED]';

export class SecretRegistry {
  private readonly values = new Set<string>();

  add(value: string | undefined | null): void {
    // Very short values would mask ordinary words; config refuses secrets that short anyway.
    if (value && value.length >= 4) this.values.add(value);
  }

  maskString(text: string): string {
    let out = text;
    for (const secret of this.values) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
      // Basic auth headers carry secrets base64-encoded: mask that spelling as well.
      const b64 = Buffer.from(secret).toString('base64').replace(/=+$/, '');
      if (b64.length >= 6 && out.includes(b64)) out = out.split(b64).join(MASK);
    }
    return out;
  }

  redact(value: unknown, depth = 0): unknown {
    if (depth > 8) return value;
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

/** The process-wide registry: config registers every secret it loads. */
export const secrets = new SecretRegistry();
