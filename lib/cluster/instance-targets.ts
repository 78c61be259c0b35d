import { ConnectionConfigError } from '../errors/connection.errors.js';

const TARGET_PATTERN = /^[A-Za-z0-9_*?-]{1,128}$/;

/**
 * Normalizes `targets` (an id or glob, or a list of them) to a list, or null for every
 * replica. Globs know `*` (any run of characters) and `?` (one character); nothing else is
 * special, so an id is a glob that matches itself.
 */
export function normalizeTargets(connectionName: string, targets: unknown): string[] | null {
  if (targets === undefined || targets === null) return null;
  const list = typeof targets === 'string' ? [targets] : targets;
  if (!Array.isArray(list) || list.length === 0 || list.some((t) => typeof t !== 'string' || !TARGET_PATTERN.test(t))) {
    throw new ConnectionConfigError(
      connectionName,
      'targets',
      'must be an instance id or glob (letters, digits, "-", "_", "*", "?"), or a non-empty list of them',
    );
  }
  return [...new Set(list as string[])];
}

/** Whether an instance id is one of the targets (null: every replica is). */
export function isTargeted(instanceId: string, targets: readonly string[] | null): boolean {
  return targets === null || targets.some((target) => globToRegExp(target).test(instanceId));
}

const cache = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    // The pattern admits only [A-Za-z0-9_-] besides * and ?, none of which is special in a RegExp.
    re = new RegExp(`^${glob.replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    if (cache.size > 1_000) cache.clear();
    cache.set(glob, re);
  }
  return re;
}
