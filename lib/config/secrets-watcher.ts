import { realpathSync, statSync, watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { fingerprintOf, type Fingerprint } from './secrets-files.js';

/** Names in a directory that start so belong to Kubernetes' atomic writer (`..data`, `..2026_12_01_...`). */
const KUBELET_PREFIX = '..';
/** A file that never holds still while polled is applied as last read after this many extra reads. */
const MAX_SETTLE_READS = 10;


async function fingerprintNow(path: string, maxBytes: number): Promise<Fingerprint> {
  try {
    const info = await stat(path); // follows symlinks, as reading does
    // Never hash a huge file on every event: its size and time say enough (the loader refuses it).
    if (info.size > maxBytes) return `large:${info.size}:${info.mtimeMs}:${info.ino}`;
    return fingerprintOf(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : `error:${code}`;
  }
}

/** The directory's identity: a folder deleted and made again is another one, and needs a new watch. */
function inodeOf(dir: string): string | null {
  try {
    const info = statSync(dir);
    return info.isDirectory() ? `${info.dev}:${info.ino}` : null;
  } catch {
    return null;
  }
}

interface DirWatch {
  watcher: FSWatcher;
  inode: string;
  names: Set<string>;
}

export interface SecretsWatcherOptions {
  debounceMs: number;
  /** Read the files this often instead of listening to file system events; null: events. */
  pollMs: number | null;
  /** Larger files are compared by size and time only. */
  maxFileBytes: number;
  /** A folder that exists could not be watched (inotify limits, permissions): once per folder. */
  onWatchError?: (dir: string, err: unknown) => void;
}

/**
 * Tells when the content of a secrets file changed (S3). It compares contents, never trusts
 * names: `onChange` runs once per change of what the files hold, whatever sequence of events
 * produced it.
 *
 * With events it watches, for each file, its folder (any event about the file's name, or about a
 * `..` name: Kubernetes updates a mounted secret by writing a new timestamped folder and swapping
 * the `..data` symlink that the visible file points through), the folder of the file's symlink
 * target, and the parent of its folder (so a folder deleted and created again, or one that does
 * not exist yet, is seen). Watches are re-armed after every burst of events. Atomic renames
 * (write a temporary file, rename it over) are events on the file's name.
 *
 * With `pollMs` it opens no watch and reads the files on that interval (network file systems send
 * no events); a change counts once two reads `debounceMs` apart agree.
 */
export class SecretsWatcher {
  readonly #dirs = new Map<string, DirWatch>();
  readonly #unwatchable = new Set<string>();
  readonly #last: Map<string, Fingerprint>;
  #timer: NodeJS.Timeout | undefined;
  #poll: NodeJS.Timeout | undefined;
  #checking: Promise<void> | null = null;
  #again = false;
  #closed = false;

  constructor(
    private readonly files: string[],
    private readonly opts: SecretsWatcherOptions,
    private readonly onChange: () => void,
    /** What the files held when they were loaded: a change before the watcher started is not missed. */
    loaded: Record<string, Fingerprint>,
  ) {
    this.#last = new Map(files.map((file) => [file, loaded[file] ?? 'missing']));
    if (opts.pollMs === null) {
      this.#arm();
    } else {
      this.#poll = setInterval(() => void this.#check(), opts.pollMs);
      this.#poll.unref();
    }
    void this.#check();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#poll);
    for (const { watcher } of this.#dirs.values()) watcher.close();
    this.#dirs.clear();
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#check(), this.opts.debounceMs);
    this.#timer.unref();
  }

  /** One comparison at a time; a burst that comes in meanwhile gets one more. */
  async #check(): Promise<void> {
    if (this.#checking) {
      this.#again = true;
      return this.#checking;
    }
    this.#checking = (async () => {
      do {
        this.#again = false;
        // Watches first, then read: a write after this point is an event, one before it is read.
        if (this.opts.pollMs === null) this.#arm();
        let now = await this.#read();
        let changed = this.files.some((file) => now.get(file) !== this.#last.get(file));
        // Polling has no "last event" to wait for: a file caught while a writer is still at it
        // (cut at a line, still valid TOML) must not apply. Two reads `debounceMs` apart agree first.
        for (let tries = 0; changed && this.opts.pollMs !== null && tries < MAX_SETTLE_READS && !this.#closed; tries++) {
          await new Promise((resolve) => setTimeout(resolve, this.opts.debounceMs).unref());
          const again = await this.#read();
          const settled = this.files.every((file) => again.get(file) === now.get(file));
          now = again;
          if (settled) break;
        }
        changed = this.files.some((file) => now.get(file) !== this.#last.get(file));
        for (const [file, fingerprint] of now) this.#last.set(file, fingerprint);
        if (changed && !this.#closed) this.onChange();
      } while (this.#again && !this.#closed);
    })().finally(() => {
      this.#checking = null;
    });
    return this.#checking;
  }

  async #read(): Promise<Map<string, Fingerprint>> {
    const out = new Map<string, Fingerprint>();
    for (const file of this.files) out.set(file, await fingerprintNow(file, this.opts.maxFileBytes));
    return out;
  }

  /** The folders to watch now, and which names in each matter; then (re)opens and closes watches to match. */
  #arm(): void {
    if (this.#closed) return;
    const wanted = new Map<string, Set<string>>();
    const want = (dir: string, name: string) => {
      const names = wanted.get(dir) ?? new Set<string>();
      names.add(name);
      wanted.set(dir, names);
    };
    for (const file of this.files) {
      const dir = dirname(file);
      if (inodeOf(dir)) {
        want(dir, basename(file));
        want(dir, KUBELET_PREFIX);
        try {
          const target = realpathSync(file);
          if (dirname(target) !== dir) want(dirname(target), basename(target));
        } catch {
          // no file (yet): its folder's watch sees it appear
        }
      }
      // The nearest existing ancestor sees the folder (or the missing folder on the way to it) come and go.
      let child = dir;
      let parent = dirname(dir);
      while (parent !== child && !inodeOf(parent)) {
        child = parent;
        parent = dirname(parent);
      }
      if (parent !== child) want(parent, basename(child));
    }
    for (const [dir, existing] of this.#dirs) {
      if (!wanted.has(dir) || inodeOf(dir) !== existing.inode) {
        existing.watcher.close();
        this.#dirs.delete(dir);
      }
    }
    for (const [dir, names] of wanted) {
      const existing = this.#dirs.get(dir);
      if (existing) {
        existing.names = names;
        continue;
      }
      const inode = inodeOf(dir);
      if (!inode) continue;
      try {
        const entry: DirWatch = { watcher: undefined as never, inode, names };
        entry.watcher = watch(dir, { persistent: false }, (_event, filename) => {
          const name = filename?.toString();
          if (name === undefined || entry.names.has(name) || (entry.names.has(KUBELET_PREFIX) && name.startsWith(KUBELET_PREFIX))) {
            this.#schedule();
          }
        });
        // The folder went away (or the watch broke): look again, which re-arms what still exists.
        entry.watcher.on('error', () => {
          entry.watcher.close();
          if (this.#dirs.get(dir) === entry) this.#dirs.delete(dir);
          this.#schedule();
        });
        this.#dirs.set(dir, entry);
      } catch (err) {
        // Gone between the check and the watch: the parent's watch reports it. Anything else
        // (no inotify watches left, no permission) means changes there go unseen: say so once.
        if (inodeOf(dir) && !this.#unwatchable.has(dir)) {
          this.#unwatchable.add(dir);
          this.opts.onWatchError?.(dir, err);
        }
      }
    }
  }
}
