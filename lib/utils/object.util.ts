/** Keys that would pollute prototypes if merged: refused wherever options are merged. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Merges option layers key by key, later layers winning (S1). Plain objects merge
 * recursively (so a secrets file can add one key to a `query` table); anything else is
 * replaced whole. Returns a fresh object; inputs are not touched.
 */
export function mergeLayers(...layers: Array<Record<string, unknown> | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (layer) mergeInto(out, layer);
  }
  return out;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (FORBIDDEN_KEYS.has(key) || value === undefined) continue;
    const existing = target[key];
    if (isPlainObject(value)) {
      const base = isPlainObject(existing) ? existing : {};
      const merged: Record<string, unknown> = {};
      mergeInto(merged, base);
      mergeInto(merged, value);
      target[key] = merged;
    } else {
      target[key] = value;
    }
  }
}

/**
 * Whether option walkers (forbidden keys, secrets, masking, equality) look inside a value: plain
 * objects and arrays only. Anything else (a drizzle table, a TypeORM entity class, a Date, a
 * client) is a value held by reference: such objects may be cyclic and their keys are not options.
 */
export function isWalkable(value: unknown): value is Record<string, unknown> | unknown[] {
  return Array.isArray(value) || isPlainObject(value);
}

/** Finds the first forbidden key in a nested object, as a dotted path. */
export function findForbiddenKey(value: unknown, path = ''): string | undefined {
  if (!isWalkable(value)) return undefined;
  for (const key of Reflect.ownKeys(value as object)) {
    if (typeof key !== 'string') continue;
    const here = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return here;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], here);
    if (found) return found;
  }
  return undefined;
}

/**
 * Structural equality of JSON-like option values, used to find connections whose options changed
 * (S3). Non-plain objects (class instances, drizzle tables) are equal only when they are the same.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (!isWalkable(a) || !isWalkable(b)) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Freezes plain objects and arrays in place, deeply, so `_secrets` is read-only (objects held by reference are left alone). */
export function deepFreeze<T>(value: T): T {
  if (isWalkable(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value as object)) deepFreeze(item);
  }
  return value;
}

/**
 * A copy of plain objects and arrays, all the way down; anything else (class instances such as
 * Buffers, ORM schema objects, functions) is shared, not walked into. `_connect` gets one of
 * these, so what it changes never leaks into the next connect.
 */
export function clonePlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clonePlain) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = clonePlain(item);
  return out as T;
}
