import { createRequire } from 'node:module';
import { OptionKeyError } from '../../errors/option-key.error.js';
import type { PasswordProvider } from './sql-target.js';

/**
 * A `password` function set in code, checked: it must give a string. Anything else fails with
 * an `OptionKeyError` naming `password` (and what kind of value it was, never the value).
 * Throws of the user's function already name the key (option-functions.ts).
 */
export function checkedPassword(provider: PasswordProvider): () => Promise<string> {
  return async () => {
    const value = await provider();
    if (typeof value !== 'string') {
      throw new OptionKeyError('password', `must be a string, but its function returned ${kindOf(value)}`);
    }
    return value;
  };
}

/** What kind of value it was, never the value. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/**
 * The password function handed to pg, which calls it for every physical connection it opens
 * (so a pool never reuses an expired token), with the client as `this`. When it fails, pg
 * fails that connect but leaves its socket waiting for the password; ending the client closes it.
 */
export function pgPassword(provider: PasswordProvider): (this: unknown) => Promise<string> {
  const checked = checkedPassword(provider);
  return async function password(this: unknown) {
    try {
      return await checked();
    } catch (err) {
      const client = this as { end?: () => Promise<void> | void } | undefined;
      void Promise.resolve()
        .then(() => client?.end?.())
        .catch(() => undefined);
      throw err;
    }
  };
}

type ConnectionStringParser = (url: string) => Record<string, unknown>;
let parser: ConnectionStringParser | null = null;

/**
 * pg's own connection-string parser: the one pg applies to `connectionString`, resolved from
 * pg's location (knex depends on another version). With a password function there can be no
 * `connectionString` (pg's parse of it would replace the function with the url's empty
 * password), so its settings are parsed here and the function set beside them: the query
 * parameters keep their libpq meaning (sslmode, application_name, options, ...).
 */
export function pgConnectionStringParser(): ConnectionStringParser {
  if (parser) return parser;
  const fromHere = createRequire(import.meta.url);
  const fromPg = createRequire(fromHere.resolve('pg'));
  const loaded = fromPg('pg-connection-string') as ConnectionStringParser & { parse?: ConnectionStringParser };
  parser = typeof loaded.parse === 'function' ? loaded.parse : loaded;
  return parser;
}
