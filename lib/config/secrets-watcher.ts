import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Watches secrets files for changes (S3). It watches each file's directory rather than the
 * file, so editors that save by writing a new file and renaming it over the old one are
 * seen too, and a file that appears later is picked up. Changes are debounced into one call.
 */
export class SecretsWatcher {
  readonly #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    files: string[],
    private readonly debounceMs: number,
    private readonly onChange: () => void,
  ) {
    const byDir = new Map<string, Set<string>>();
    for (const file of files) {
      const names = byDir.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      byDir.set(dirname(file), names);
    }
    for (const [dir, names] of byDir) {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => {
        if (filename === null || names.has(filename.toString())) this.#schedule();
      });
      watcher.on('error', () => undefined); // the directory went away: nothing left to watch
      this.#watchers.push(watcher);
    }
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.onChange, this.debounceMs);
    this.#timer.unref();
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers) watcher.close();
  }
}
