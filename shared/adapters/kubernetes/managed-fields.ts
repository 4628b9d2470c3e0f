/** The field manager Headroom writes with, so the API server records its changes as its own. */
export const FIELD_MANAGER = 'headroom';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: Date | string;
  subresource?: string;
  fieldsV1?: object;
}

/**
 * Who last wrote a field, from the object's `metadata.managedFields` (server-side field
 * tracking): the latest entry whose field set holds `path` (e.g. ['spec', 'minReplicas']).
 * Undefined when the API does not tell or the last writer is Headroom itself.
 */
export function lastWriterOf(
  metadata: { managedFields?: ManagedFieldsEntry[] } | undefined,
  path: string[],
): string | undefined {
  let latest: { manager: string; at: number; time?: string } | undefined;
  for (const e of metadata?.managedFields ?? []) {
    if (!e.manager || !holds(e.fieldsV1, path)) continue;
    const time = e.time instanceof Date ? e.time.toISOString() : e.time;
    const at = time ? Date.parse(time) : 0;
    if (!latest || at >= latest.at) latest = { manager: e.manager, at, time };
  }
  if (!latest || latest.manager === FIELD_MANAGER) return undefined;
  return latest.time ? `${latest.manager} (at ${latest.time})` : latest.manager;
}

function holds(fields: object | undefined, path: string[]): boolean {
  let node: unknown = fields;
  for (const p of path) {
    if (!node || typeof node !== 'object' || !(`f:${p}` in node)) return false;
    node = (node as Record<string, unknown>)[`f:${p}`];
  }
  return true;
}
