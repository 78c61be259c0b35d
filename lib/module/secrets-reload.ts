import type { Logger } from '@nestjs/common';
import type { BaseConnection } from '../core/base-connection.js';
import { withConfigStatus, type ConnectionBinding } from '../core/connection-binding.js';
import { kBinding, kRebind, kValidate } from '../core/connection.symbols.js';
import type { ConnectionSpec } from '../config/connection-spec.js';
import { currentStatus } from '../config/connection-source.js';
import { readSecretsFiles, type SecretsSnapshot } from '../config/secrets-files.js';
import type { SecretsFile } from '../config/secrets-options.js';
import { SecretsWatcher } from '../config/secrets-watcher.js';
import { ConnectionConfigError, ConnectionsError } from '../errors/connection.errors.js';
import type { ConnectionConfigStatus } from '../interfaces/connection-info.interface.js';
import { maskError, maskText } from '../utils/mask.util.js';
import { deepEqual } from '../utils/object.util.js';
import type { LoadedConfig } from './load-config.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyConnection = BaseConnection<any, any>;

/** What the reloader needs of the registry. */
export interface ReloadHost {
  registered(): Iterable<{ connection: AnyConnection; spec: ConnectionSpec }>;
  getConfig(): LoadedConfig;
  setConfig(config: LoadedConfig): void;
  /** The binding a connection would have under `config`, its schemas applied (they may be async). */
  bindingOf(spec: ConnectionSpec, config: LoadedConfig): Promise<ConnectionBinding> | ConnectionBinding;
  logger: Logger;
}

/** A run that found a newer one waiting: that one reads the files again and answers for both. */
const SUPERSEDED = Symbol('superseded');
type RunResult = string[] | typeof SUPERSEDED;

/**
 * A file the last applied reload read with content that now is gone or empty: a delete, or a
 * rewrite caught half way (truncated, not yet written). Never a reason to fall back to code
 * defaults (a PostgreSQL app on the SQLite default): the previous values stay.
 */
function lostFile(files: SecretsFile[], before: SecretsSnapshot, now: SecretsSnapshot): ConnectionConfigError | null {
  for (const { path } of files) {
    if (before.states[path] !== 'content') continue;
    if (now.states[path] === 'missing') {
      return new ConnectionConfigError('*', 'secrets.files', `secrets file ${path} is gone; it is read again when it is back`);
    }
    if (now.states[path] === 'empty') {
      return new ConnectionConfigError('*', 'secrets.files', `secrets file ${path} is empty (truncated, or a rewrite under way)`);
    }
  }
  return null;
}

/**
 * Rereads the secrets files and applies them (S3): exactly the connections whose merged options
 * (or policies) changed are reset, with the watch strategy.
 *
 * - Reloads run one at a time, in order; calls that come in while one runs share one more run,
 *   which reads the files afresh. A run that finds a newer one waiting after reading the files
 *   applies nothing (the newer one does): the last edit always wins, and a reload that would
 *   finish after a newer one started never overwrites it.
 * - A file that is malformed, too large, too deep, gone or empty, or options that fail their
 *   checks: nothing is applied, every connection keeps its values and shows
 *   `info().config.status === 'rejected'` (masked error) until a reload applies. One log line.
 * - With `swap`, a connection whose new options do not connect keeps its instance and its
 *   previous options, and shows `rejected`; the log says so, and the "reset" line lists only
 *   the connections that were reset.
 */
export class SecretsReloader {
  #queued: Promise<RunResult> | null = null;
  #newest: Promise<RunResult> = Promise.resolve([]);
  #tail: Promise<unknown> = Promise.resolve();
  #watcher: SecretsWatcher | null = null;
  #stopped = false;
  /** Whether the last run rejected the files, so a later run that changes nothing still says they apply again. */
  #rejected = false;

  constructor(private readonly host: ReloadHost) {}

  /** Starts watching, when `watch` is on. */
  start(): void {
    const { watch, files, limits, snapshot } = this.host.getConfig();
    if (!watch || !files.length || this.#watcher) return;
    this.#watcher = new SecretsWatcher(
      files.map((file) => file.path),
      {
        debounceMs: watch.debounceMs,
        pollMs: watch.pollMs,
        maxFileBytes: limits.maxFileBytes,
        onWatchError: (dir, err) =>
          this.host.logger.warn(
            `Secrets watcher cannot watch ${dir} (${(err as NodeJS.ErrnoException).code ?? maskError(err)}): changes there are not seen; secrets.watch.poll reads the files on an interval instead`,
          ),
      },
      () => {
        this.reload().catch((err: unknown) => this.host.logger.error(`Secrets reload failed: ${maskError(err)}`));
      },
      snapshot.fingerprints,
    );
  }

  stop(): void {
    this.#stopped = true;
    this.#watcher?.close();
    this.#watcher = null;
  }

  /** Names of the connections reset by the run that applied the files as they are now. */
  reload(): Promise<string[]> {
    if (!this.#queued) {
      const run = this.#tail.then(() => {
        this.#queued = null;
        return this.#reloadOnce();
      });
      this.#tail = run.catch(() => undefined);
      this.#queued = run;
      this.#newest = run;
    }
    return this.#follow(this.#queued);
  }

  #follow(run: Promise<RunResult>): Promise<string[]> {
    return run.then((result) => (result === SUPERSEDED ? this.#follow(this.#newest) : result));
  }

  async #reloadOnce(): Promise<RunResult> {
    if (this.#stopped) return [];
    const config = this.host.getConfig();
    let snapshot: SecretsSnapshot;
    try {
      snapshot = await readSecretsFiles(config.files, config.limits);
      const lost = lostFile(config.files, config.snapshot, snapshot);
      if (lost) throw lost;
    } catch (err) {
      return this.#queued ? SUPERSEDED : this.#reject(err);
    }
    if (this.#queued) return SUPERSEDED;
    if (this.#stopped) return [];
    const next: LoadedConfig = { ...config, sections: snapshot.sections, snapshot, status: currentStatus() };
    // Two phases: every connection's new options are computed and validated before any is
    // applied, so one bad value keeps the whole previous state.
    const changed: Array<[AnyConnection, ConnectionBinding]> = [];
    const unchanged: Array<[AnyConnection, ConnectionBinding]> = [];
    for (const { connection, spec } of this.host.registered()) {
      const previous = connection[kBinding]!;
      try {
        const binding = await this.host.bindingOf(spec, next);
        if (!deepEqual(previous.options, binding.options) || !deepEqual(previous.policy, binding.policy)) {
          connection[kValidate](binding);
          changed.push([connection, binding]);
        } else {
          unchanged.push([connection, binding]);
        }
      } catch (err) {
        return this.#reject(err);
      }
    }
    this.host.setConfig(next);
    // Unchanged connections keep their binding (and its breaker state); only what info() says moves on.
    for (const [connection, binding] of unchanged) connection[kBinding]!.about = binding.about;
    const strategy = next.watch?.strategy ?? 'drop';
    const outcomes = await Promise.all(changed.map(([connection, binding]) => this.#apply(connection, binding, strategy)));
    const reset = outcomes.filter((name): name is string => name !== null);
    const kept = changed.length - reset.length;
    if (reset.length) this.host.logger.log(`Secrets changed; reset: ${reset.join(', ')}`);
    else if (this.#rejected && kept === 0) this.host.logger.log('Secrets reloaded; the files apply again, no connection changed');
    this.#rejected = kept > 0;
    return reset;
  }

  /** Binds the new options and resets; the connection's name, or null when a swap kept the old instance. */
  async #apply(connection: AnyConnection, binding: ConnectionBinding, strategy: 'drop' | 'swap'): Promise<string | null> {
    const previous = connection[kBinding]!;
    connection[kRebind](binding);
    try {
      await connection.reset({ strategy });
      return binding.name;
    } catch (err) {
      // A swap whose new options do not connect: the instance in service was made with the
      // previous options, so those stay bound too (a later reset or expiry reconnects with
      // what works). The next change of the file is compared with them and tried again.
      const message = maskText(maskError(err, binding.secretValues), previous.secretValues);
      if (connection[kBinding] === binding) connection[kRebind](previous);
      previous.about = withConfigStatus(previous.about, rejected(`the new options did not connect: ${message}`));
      this.host.logger.error(`Connection "${binding.name}" kept its instance and previous options; the new options from the secrets files did not connect: ${message}`);
      return null;
    }
  }

  #reject(err: unknown): string[] {
    const message = err instanceof ConnectionsError ? err.message : maskError(err);
    this.host.logger.error(`Secrets not reloaded, previous values kept: ${message}`);
    const status = rejected(message);
    for (const { connection } of this.host.registered()) {
      const binding = connection[kBinding]!;
      binding.about = withConfigStatus(binding.about, { ...status, error: maskText(message, binding.secretValues) });
    }
    this.#rejected = true;
    return [];
  }
}

function rejected(error: string): ConnectionConfigStatus {
  return { status: 'rejected', at: new Date().toISOString(), error };
}
