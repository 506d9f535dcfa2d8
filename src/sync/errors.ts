/** Thrown for an event that can never succeed as it stands (no client, malformed entity key). */
export class PermanentEventError extends Error {}
