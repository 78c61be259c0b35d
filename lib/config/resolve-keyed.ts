import type { KeyedBinding } from '../core/connection-binding.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import type { KeyedOptions } from '../interfaces/keyed-options.interface.js';
import { describe } from '../utils/describe.util.js';
import { parseDuration } from '../utils/duration.util.js';
import { isPlainObject } from '../utils/object.util.js';

const NO_KEY_OPTIONS: Readonly<Record<string, Record<string, unknown>>> = Object.freeze({});

/**
 * Takes the `keys` table out of a `[connections.<name>]` section: `[connections.<name>.keys.<key>]`
 * holds per-key options of a keyed connection, not an option of the connection itself.
 */
export function withoutKeyTables(
  name: string,
  section: Record<string, unknown> | undefined,
): { section: Record<string, unknown> | undefined; keyTables: Record<string, Record<string, unknown>> | undefined } {
  if (!section || !Object.hasOwn(section, 'keys')) return { section, keyTables: undefined };
  const { keys, ...rest } = section;
  if (!isPlainObject(keys) || !Object.values(keys).every(isPlainObject)) {
    throw new ConnectionConfigError(name, 'keys', `must hold one table per key, [connections.${name}.keys.<key>] (got ${describe(keys)})`);
  }
  return { section: rest, keyTables: keys as Record<string, Record<string, unknown>> };
}

/** Checks `keyed` (decorator or declaration, the declaration winning) into what the connection runs with. */
export function resolveKeyed(
  name: string,
  value: KeyedOptions | boolean | undefined,
  keyTables: Record<string, Record<string, unknown>> | undefined,
): KeyedBinding | null {
  if (value === undefined || value === false) {
    if (keyTables) throw new ConnectionConfigError(name, 'keys', `per-key tables need a keyed connection: set @Connection({ keyed: {} }) or the declaration's keyed`);
    return null;
  }
  const options = value === true ? {} : value;
  if (!isPlainObject(options)) throw new ConnectionConfigError(name, 'keyed', `must be true or { maxEntries?, idleTtl? } (got ${describe(options)})`);
  let maxEntries = Infinity;
  let idleTtlMs: number | null = null;
  for (const [key, item] of Object.entries(options)) {
    if (item === undefined) continue;
    if (key === 'maxEntries') {
      if (typeof item !== 'number' || !Number.isInteger(item) || item < 1) {
        throw new ConnectionConfigError(name, 'keyed.maxEntries', `must be a whole number of at least 1 (got ${describe(item)})`);
      }
      maxEntries = item;
    } else if (key === 'idleTtl') {
      const ms = typeof item === 'string' || typeof item === 'number' ? parseDuration(item) : undefined;
      if (ms === undefined || ms === 0) {
        throw new ConnectionConfigError(name, 'keyed.idleTtl', `must be a positive duration such as "10m" (got ${describe(item)})`);
      }
      idleTtlMs = ms;
    } else {
      throw new ConnectionConfigError(name, `keyed.${key}`, 'unknown key; use maxEntries, idleTtl');
    }
  }
  return { maxEntries, idleTtlMs, keyOptions: keyTables ? Object.freeze({ ...keyTables }) : NO_KEY_OPTIONS };
}
