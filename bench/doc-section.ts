import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Puts a benchmark's section into BENCHMARKS.md: replaces the section of that title (up to the
 * next `## `) or appends it, leaving every other section as it was.
 */
export function writeDocSection(docPath: string, title: string, section: string): void {
  const doc = readFileSync(docPath, 'utf8');
  const start = doc.indexOf(`\n${title}\n`);
  let next: string;
  if (start < 0) {
    next = `${doc.replace(/\s*$/, '')}\n\n${section}`;
  } else {
    const after = doc.indexOf('\n## ', start + title.length + 1);
    next = `${doc.slice(0, start + 1)}${section}${after < 0 ? '' : `\n${doc.slice(after + 1)}`}`;
  }
  writeFileSync(docPath, next.endsWith('\n') ? next : `${next}\n`);
}
