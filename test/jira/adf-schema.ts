import Ajv from 'ajv-draft-04';
import adfSchema from '@atlaskit/adf-schema/dist/json-schema/v1/full.json';
import type { AdfDocument } from '../../src/jira/types';

/** Atlassian's own published ADF schema: what Jira would refuse with INVALID_INPUT fails here first. */
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(adfSchema);

/** Empty when the document is valid ADF; else the schema's complaints, readable in a failing test. */
export function adfErrors(document: AdfDocument): string[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/**
 * The schema's anyOf over every block type reports a dozen errors for one bad node, and an
 * over-permissive schema would pass anything: so every document is also checked directly for the
 * mistakes Jira refuses with a bare INVALID_INPUT (text straight in a list item or cell, empty text, marks in a code block).
 */
export function expectValidAdf(document: AdfDocument): void {
  expect(adfErrors(document)).toEqual([]);
  expect(pitfalls(document)).toEqual([]);
}

type Node = { type: string; text?: string; content?: Node[]; marks?: unknown[] };

function pitfalls(node: Node, parent?: Node): string[] {
  const found: string[] = [];
  if (node.type === 'text' && (node.text ?? '') === '') found.push('empty text node');
  if (node.type === 'text' && parent?.type === 'codeBlock' && (node.marks?.length ?? 0) > 0) found.push('marks in codeBlock');
  if (['tableCell', 'tableHeader', 'listItem'].includes(node.type)) {
    for (const child of node.content ?? []) if (child.type === 'text') found.push(`bare text in ${node.type}`);
  }
  for (const child of node.content ?? []) found.push(...pitfalls(child, node));
  return found;
}
