import type { DataSource } from 'typeorm';
import type { SchemaSteps } from './typeorm-data-source-options.js';

/**
 * Runs the schema steps (`dropSchema`, `migrationsRun`, `synchronize`) once per connection and
 * key for the life of the process: on the first successful connect, never on a reconnect.
 *
 * Two connects can overlap (a swap reset connects while the old DataSource serves; a fenced
 * connect may still be finishing): the second one waits for the first one's run instead of
 * starting its own, which is what made two `initialize()` calls synchronize at once. A run that
 * fails is forgotten, so the next connect (which fails meanwhile) runs it again.
 */
export class SchemaOnce {
  readonly #runs = new Map<unknown, Promise<void>>();
  /** How many runs started (for `info()`-like diagnostics and tests). */
  started = 0;

  run(key: unknown, ds: DataSource, steps: SchemaSteps): Promise<void> {
    if (!steps.dropSchema && !steps.migrationsRun && !steps.synchronize) return Promise.resolve();
    let run = this.#runs.get(key);
    if (!run) {
      this.started++;
      run = runSteps(ds, steps);
      this.#runs.set(key, run);
      const started = run;
      run.catch(() => {
        if (this.#runs.get(key) === started) this.#runs.delete(key);
      });
    }
    return run;
  }
}

/** In `initialize()`'s order. */
async function runSteps(ds: DataSource, steps: SchemaSteps): Promise<void> {
  if (steps.dropSchema) await ds.dropDatabase();
  if (steps.migrationsRun) await ds.runMigrations({ transaction: ds.options.migrationsTransactionMode ?? 'all' });
  if (steps.synchronize) await ds.synchronize();
}
