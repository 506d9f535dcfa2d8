import type { EntityRef, Vendor } from '../domain/ticket';

/** The page cursor: the last pair read, opaque to clients (base64url of its key). */
export function encodeCursor(ref: EntityRef): string {
  return Buffer.from(JSON.stringify([ref.vendor, ref.connectionId, ref.id]), 'utf8').toString('base64url');
}

export class CursorError extends Error {}

export function decodeCursor(cursor: string): EntityRef {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('cursor is not one this audit gave out; pass the `next` of the previous page as it is');
  }
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'string')) {
    throw new CursorError('cursor is not one this audit gave out; pass the `next` of the previous page as it is');
  }
  const [vendor, connectionId, id] = value as string[];
  return { vendor: vendor as Vendor, connectionId: connectionId as string, id: id as string };
}
