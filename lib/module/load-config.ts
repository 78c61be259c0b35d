import { checkClusterOptions, type ClusterSettings } from '../cluster/cluster-options.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import type { ConnectionsModuleOptions } from '../core/connections-module-options.interface.js';
import type { ConnectionConfigStatus } from '../interfaces/connection-info.interface.js';
import type { Duration } from '../interfaces/connection-policy.interface.js';
import { parseDuration } from '../utils/duration.util.js';
import { isPlainObject } from '../utils/object.util.js';
import { resolvePolicy } from '../config/resolve-policy.js';
import { describe } from '../utils/describe.util.js';
import { currentStatus } from '../config/connection-source.js';
import { readSecretsFiles, type SecretsSections, type SecretsSnapshot } from '../config/secrets-files.js';
import {
  checkSecretsOptions,
  limitsOf,
  secretsFilesOf,
  watchSettingsOf,
  type SecretsFile,
  type SecretsLimits,
  type WatchSettings,
} from '../config/secrets-options.js';

const MODULE_KEYS = new Set(['connections', 'secrets', 'defaults', 'types', 'fromSecrets', 'isGlobal', 'cluster', 'shutdownTimeout', 'keyFrom', 'options']);
/** How long `app.close()` waits for connects and disposals before it abandons them. */
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** Every variable the package reads starts so. */
const PACKAGE_ENV_PREFIX = 'CONNECTIONS_';

/** Module options checked, and the secrets they point at, loaded. Provided as `CONNECTIONS_CONFIG`. */
export interface LoadedConfig {
  options: ConnectionsModuleOptions;
  files: SecretsFile[];
  sections: SecretsSections;
  /** The files as last applied: where each section came from, what each file held. */
  snapshot: SecretsSnapshot;
  limits: SecretsLimits;
  /** `info().config` of the options bound from this configuration. */
  status: ConnectionConfigStatus;
  env: Record<string, string | undefined> | null;
  watch: WatchSettings | null;
  /** `cluster` checked and defaulted (its instance id generated once, here), or null without one. */
  cluster?: ClusterSettings | null;
  /** `shutdownTimeout` in ms (default 10 s). */
  shutdownTimeoutMs: number;
}

function fail(key: string, problem: string): never {
  throw new ConnectionConfigError('*', key, problem);
}

/** Checks the module options (S4) and reads the secrets files and environment (S2). */
export async function loadConfig(options: ConnectionsModuleOptions | undefined): Promise<LoadedConfig> {
  const opts = options ?? {};
  if (!isPlainObject(opts)) fail('options', `ConnectionsModule options must be an object (got ${describe(opts)})`);
  for (const key of Object.keys(opts)) {
    if (!MODULE_KEYS.has(key)) fail(key, 'unknown ConnectionsModule option');
  }
  if (opts.connections !== undefined && !Array.isArray(opts.connections)) {
    fail('connections', `must be an array (got ${describe(opts.connections)})`);
  }
  if (opts.fromSecrets !== undefined && typeof opts.fromSecrets !== 'boolean') {
    fail('fromSecrets', `must be true or false (got ${describe(opts.fromSecrets)})`);
  }
  if (opts.keyFrom !== undefined && typeof opts.keyFrom !== 'function') {
    fail('keyFrom', `must be a function (context: ExecutionContext) => string | undefined (got ${describe(opts.keyFrom)})`);
  }
  if (opts.types !== undefined && !isPlainObject(opts.types)) fail('types', `must be an object (got ${describe(opts.types)})`);
  if (opts.defaults !== undefined) {
    if (!isPlainObject(opts.defaults)) fail('defaults', `must be an object (got ${describe(opts.defaults)})`);
    resolvePolicy('*', [opts.defaults]); // throws on a bad default, naming the key
  }
  if (opts.options !== undefined) {
    if (!isPlainObject(opts.options)) fail('options', `must be { [connectionName]: { ...options } } (got ${describe(opts.options)})`);
    for (const [name, value] of Object.entries(opts.options)) {
      if (!isPlainObject(value)) {
        throw new ConnectionConfigError(name, 'options', `ConnectionsModule options.${name} must be an object (got ${describe(value)})`);
      }
    }
  }
  const secrets = checkSecretsOptions(opts.secrets);
  const files = secretsFilesOf(secrets);
  const limits = limitsOf(secrets);
  const watch = watchSettingsOf(secrets);
  const snapshot = await readSecretsFiles(files, limits);
  const env =
    secrets === false || secrets.env === false
      ? null
      : connectionVariables(secrets.env === true || secrets.env === undefined ? process.env : secrets.env);
  const cluster = opts.cluster === undefined ? null : checkClusterOptions(opts.cluster);
  const { sections } = snapshot;
  let shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (opts.shutdownTimeout !== undefined) {
    const ms = parseDuration(opts.shutdownTimeout as Duration);
    if (ms === undefined || ms <= 0) {
      fail('shutdownTimeout', `must be a positive duration such as "10s" (got ${describe(opts.shutdownTimeout)})`);
    }
    shutdownTimeoutMs = ms;
  }
  return { options: opts, files, sections, snapshot, limits, status: currentStatus(), env, watch, cluster, shutdownTimeoutMs };
}

/**
 * Only the package's variables (`CONNECTIONS__<NAME>__<KEY>`, `CONNECTIONS_CLUSTER_KEY`),
 * copied once: reading `process.env` is slow, and every connection looks through these.
 */
function connectionVariables(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(PACKAGE_ENV_PREFIX)) out[name] = value;
  }
  return out;
}
