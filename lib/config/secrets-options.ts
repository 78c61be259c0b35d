import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_SECRETS_FILE } from '../core/connections.constants.js';
import type { SecretsOptions } from '../core/connections-module-options.interface.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import type { ResetStrategy } from '../interfaces/reset-result.interface.js';
import { describe } from '../utils/describe.util.js';
import { parseDuration } from '../utils/duration.util.js';
import { isPlainObject } from '../utils/object.util.js';

/** Defaults of the limits on a secrets file (docs/secrets.md). */
export const DEFAULT_MAX_FILE_BYTES = 1_048_576;
export const DEFAULT_MAX_DEPTH = 32;
/** Polling faster than this reads the files more often than any secret changes, for nothing. */
export const MIN_POLL_MS = 100;
const DEFAULT_DEBOUNCE_MS = 50;

const SECRETS_KEYS = new Set(['files', 'env', 'watch', 'maxFileBytes', 'maxDepth']);
const WATCH_KEYS = new Set(['strategy', 'debounceMs', 'poll']);

/** One secrets file to read; a `required` one (listed in `files`) must exist. */
export interface SecretsFile {
  path: string;
  required: boolean;
}

export interface SecretsLimits {
  maxFileBytes: number;
  maxDepth: number;
}

/** `watch`, checked and defaulted. `pollMs` null: file system events. */
export interface WatchSettings {
  strategy: ResetStrategy;
  debounceMs: number;
  pollMs: number | null;
}

function fail(key: string, problem: string): never {
  throw new ConnectionConfigError('*', key, problem);
}

/** Checks `secrets` (S4): `false`, or `{ files?, env?, watch?, maxFileBytes?, maxDepth? }`. */
export function checkSecretsOptions(secrets: unknown): false | SecretsOptions {
  if (secrets === undefined) return {};
  if (secrets === false) return false;
  if (!isPlainObject(secrets)) fail('secrets', `must be false or { files?, env?, watch? } (got ${describe(secrets)})`);
  for (const key of Object.keys(secrets)) {
    if (!SECRETS_KEYS.has(key)) fail(`secrets.${key}`, 'unknown secrets option');
  }
  const { files, env, watch, maxFileBytes, maxDepth } = secrets as SecretsOptions;
  if (files !== undefined && (!Array.isArray(files) || files.some((f) => typeof f !== 'string' || f.length === 0))) {
    fail('secrets.files', 'must be an array of file paths');
  }
  if (env !== undefined && typeof env !== 'boolean' && !isPlainObject(env)) {
    fail('secrets.env', `must be true, false or a map of variables (got ${describe(env)})`);
  }
  if (watch !== undefined && typeof watch !== 'boolean' && !isPlainObject(watch)) {
    fail('secrets.watch', `must be true, false or { strategy?, debounceMs?, poll? } (got ${describe(watch)})`);
  }
  if (isPlainObject(watch)) {
    for (const key of Object.keys(watch)) {
      if (!WATCH_KEYS.has(key)) fail(`secrets.watch.${key}`, 'unknown watch option');
    }
  }
  for (const [key, value] of [['maxFileBytes', maxFileBytes], ['maxDepth', maxDepth]] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
      fail(`secrets.${key}`, `must be a positive whole number (got ${describe(value)})`);
    }
  }
  return secrets as SecretsOptions;
}

export function limitsOf(secrets: false | SecretsOptions | undefined): SecretsLimits {
  return {
    maxFileBytes: (secrets && secrets.maxFileBytes) || DEFAULT_MAX_FILE_BYTES,
    maxDepth: (secrets && secrets.maxDepth) || DEFAULT_MAX_DEPTH,
  };
}

/** `watch` defaulted: `null` when off. */
export function watchSettingsOf(secrets: false | SecretsOptions): WatchSettings | null {
  if (secrets === false || !secrets.watch) return null;
  const watch = secrets.watch === true ? {} : secrets.watch;
  const strategy = watch.strategy ?? 'drop';
  if (strategy !== 'drop' && strategy !== 'swap') fail('secrets.watch.strategy', 'must be "drop" or "swap"');
  const debounceMs = watch.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  if (parseDuration(debounceMs) === undefined || typeof debounceMs !== 'number') {
    fail('secrets.watch.debounceMs', `must be a number of milliseconds (got ${describe(debounceMs)})`);
  }
  let pollMs: number | null = null;
  if (watch.poll !== undefined) {
    const ms = parseDuration(watch.poll);
    if (ms === undefined) fail('secrets.watch.poll', `must be a duration such as "10s" (got ${describe(watch.poll)})`);
    if (ms < MIN_POLL_MS) fail('secrets.watch.poll', `must be at least ${MIN_POLL_MS} ms (got ${describe(watch.poll)})`);
    pollMs = ms;
  }
  return { strategy, debounceMs, pollMs };
}

/**
 * Which files to read (S2): the listed ones (each must exist), or else, each when present and
 * later winning, Streamlit's global `~/.streamlit/secrets.toml`, the project's
 * `.streamlit/secrets.toml`, and `secrets.toml` in the working directory.
 */
export function secretsFilesOf(secrets: false | SecretsOptions | undefined): SecretsFile[] {
  if (secrets === false) return [];
  if (secrets?.files) return secrets.files.map((file) => ({ path: resolve(file), required: true }));
  const paths = [join(homedir(), '.streamlit', 'secrets.toml'), resolve('.streamlit', 'secrets.toml'), resolve(DEFAULT_SECRETS_FILE)];
  // The working directory may be the home directory: then the first two are one file.
  return [...new Set(paths)].map((path) => ({ path, required: false }));
}
