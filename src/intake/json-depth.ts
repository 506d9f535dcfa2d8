/**
 * How deeply a parsed JSON value nests (a scalar is 0, `{}` and `[]` are 1), counted without
 * recursion, stopping as soon as `limit` is passed. The webhook door refuses bodies deeper than
 * its limit before storing them: every later step that walks a body (schemas, serialisation,
 * the Jira document walkers) recurses, and a validly signed body nested thousands of levels
 * deep would otherwise overflow the stack on every delivery, for ever.
 */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (v === null || typeof v !== 'object') continue;
    const inner = depth + 1;
    if (inner > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push({ v: child, depth: inner });
    }
  }
  return false;
}
