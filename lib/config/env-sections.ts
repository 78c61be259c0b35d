import { ENV_PREFIX } from '../core/connections.constants.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import { envNameOf } from '../utils/naming.util.js';
import { FORBIDDEN_KEYS, isPlainObject } from '../utils/object.util.js';

/**
 * The options one connection gets from `CONNECTIONS__<NAME>__<KEY>` variables (S1).
 * `__` separates nesting levels (`CONNECTIONS__SQL__QUERY__SSLMODE` -> `query.sslmode`).
 * A key is matched case-insensitively against the keys the other layers already use
 * (so `CONNECTTIMEOUT` finds `connectTimeout`), and lower-cased otherwise. Values stay strings.
 */
export function envOptionsFor(
  name: string,
  env: Record<string, string | undefined>,
  knownKeysOf: () => Record<string, unknown>,
): Record<string, unknown> {
  const prefix = `${ENV_PREFIX}${envNameOf(name)}__`;
  const out: Record<string, unknown> = {};
  // Computed only for a connection that has variables: most have none.
  let knownKeys: Record<string, unknown> | undefined;
  for (const [variable, value] of Object.entries(env)) {
    if (value === undefined || !variable.startsWith(prefix)) continue;
    knownKeys ??= knownKeysOf();
    const path = variable.slice(prefix.length).split('__');
    if (path.some((part) => part.length === 0)) {
      throw new ConnectionConfigError(name, variable, 'environment variable name has an empty key part');
    }
    let target = out;
    let known: unknown = knownKeys;
    path.forEach((part, index) => {
      const key = matchKey(part, known);
      if (FORBIDDEN_KEYS.has(key)) {
        throw new ConnectionConfigError(name, variable, 'this key name is not allowed');
      }
      known = isPlainObject(known) ? known[key] : undefined;
      if (index === path.length - 1) {
        target[key] = value;
      } else {
        const next = target[key];
        target = (isPlainObject(next) ? next : (target[key] = {})) as Record<string, unknown>;
      }
    });
  }
  return out;
}

/**
 * Refuses a name whose environment form (`reports-db` and `reports_db` -> `REPORTS_DB`; `db`
 * and `DB` -> `DB`) is already another connection's: both would read the same
 * `CONNECTIONS__<NAME>__` variables, so a value meant for one would silently configure both.
 * `taken` maps the environment form of each registered name to that name.
 */
export function envNameClash(name: string, taken: ReadonlyMap<string, string>): void {
  const other = taken.get(envNameOf(name));
  if (other === undefined || other === name) return;
  throw new ConnectionConfigError(
    name,
    'name',
    `"${name}" and "${other}" would both read the environment variables ${ENV_PREFIX}${envNameOf(name)}__*; rename one of them`,
  );
}

function matchKey(part: string, known: unknown): string {
  if (isPlainObject(known)) {
    const lower = part.toLowerCase();
    const found = Object.keys(known).find((key) => key.toLowerCase() === lower || snake(key) === lower);
    if (found) return found;
  }
  return part.toLowerCase();
}

function snake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
