import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export function fixtureText(relative: string): string {
  return readFileSync(path.join(FIXTURES, relative), 'utf8');
}

export function fixture<T = unknown>(relative: string): T {
  return JSON.parse(fixtureText(relative)) as T;
}
