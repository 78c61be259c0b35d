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
  return targets === null || targets.some((target) => globMatch(target, instanceId));
}

/** Whether a target is a glob (has `*` or `?`), as opposed to an exact instance id. */
export function isGlob(target: string): boolean {
  return target.includes('*') || target.includes('?');
}

/**
 * Matches `text` against a glob of `*` and `?` in O(pattern × text) steps at worst, with no
 * recursion and no RegExp: a target comes from the network (admin query string, cluster
 * messages), and a backtracking RegExp let `****************Z` freeze the event loop.
 *
 * The classic greedy scan: on a mismatch, go back to the last `*` seen and let it swallow one
 * more character. Only the last star matters (what an earlier one swallowed never needs to be
 * revisited), which is what keeps it polynomial.
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const c = pattern.charCodeAt(p);
    if (p < pattern.length && (c === 63 /* ? */ || c === text.charCodeAt(t))) {
      p++;
      t++;
    } else if (p < pattern.length && c === 42 /* * */) {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === 42) p++;
  return p === pattern.length;
}
