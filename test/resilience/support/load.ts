/**
 * A steady stream of reads and idempotent writes (with ids) against one connection, recorded
 * with their times, so a fault schedule can be checked afterwards: which reads failed and when,
 * whether every write landed, how long the app took to recover.
 *
 * Every loop is bounded in count and time: `stop()` ends them, and `maxOps` caps each one.
 */

/** One read: when it started and ended (ms since the driver's epoch), and how it went. */
export interface ReadSample {
  start: number;
  end: number;
  ok: boolean;
  error?: string;
}

export interface LoadOptions {
  readers: number;
  writers: number;
  /** Pause between two reads of one reader. */
  readEveryMs: number;
  /** Pause between two new ids of one writer. */
  writeEveryMs: number;
  /** Pause between two tries of the same id after a failure. */
  writeRetryEveryMs: number;
  /** One id is tried again until this long after its first try; then it counts as not landed. */
  writeDeadlineMs: number;
  /** Cap on operations per loop (reads per reader, ids per writer). */
  maxOps: number;
  read(): Promise<unknown>;
  /** Writes `id`; must be idempotent (a retry after a lost answer must not write twice). */
  write(id: string): Promise<unknown>;
  idPrefix: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LoadDriver {
  readonly reads: ReadSample[] = [];
  /** Every id a writer started to write, in order. */
  readonly attempted: string[] = [];
  /** Ids whose write was acknowledged. */
  readonly landed = new Set<string>();
  /** Ids given up after `writeDeadlineMs` (should stay empty). */
  readonly abandoned: string[] = [];
  /** Tries of writes that failed (each was tried again). */
  writeFailures = 0;
  readonly errors = new Map<string, number>();
  readonly epoch = performance.now();
  #stopping = false;
  #loops: Promise<void>[] = [];
  #nextId = 0;

  constructor(private readonly opts: LoadOptions) {}

  now(): number {
    return performance.now() - this.epoch;
  }

  start(): void {
    for (let i = 0; i < this.opts.readers; i++) this.#loops.push(this.#reader());
    for (let i = 0; i < this.opts.writers; i++) this.#loops.push(this.#writer());
  }

  /** No new reads or ids; ids in flight keep trying until they land or reach their deadline. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#loops);
  }

  /** Reads that failed, and those that succeeded. */
  get failedReads(): ReadSample[] {
    return this.reads.filter((r) => !r.ok);
  }

  #count(err: unknown): string {
    const text = `${(err as Error)?.constructor?.name ?? typeof err}: ${String((err as Error)?.message ?? err).slice(0, 120)}`;
    this.errors.set(text, (this.errors.get(text) ?? 0) + 1);
    return text;
  }

  async #reader(): Promise<void> {
    for (let n = 0; n < this.opts.maxOps && !this.#stopping; n++) {
      const start = this.now();
      try {
        await this.opts.read();
        this.reads.push({ start, end: this.now(), ok: true });
      } catch (err) {
        this.reads.push({ start, end: this.now(), ok: false, error: this.#count(err) });
      }
      await sleep(this.opts.readEveryMs);
    }
  }

  async #writer(): Promise<void> {
    for (let n = 0; n < this.opts.maxOps && !this.#stopping; n++) {
      const id = `${this.opts.idPrefix}-${this.#nextId++}`;
      this.attempted.push(id);
      const deadline = this.now() + this.opts.writeDeadlineMs;
      for (;;) {
        try {
          await this.opts.write(id);
          this.landed.add(id);
          break;
        } catch (err) {
          this.writeFailures++;
          this.#count(err);
          if (this.now() > deadline) {
            this.abandoned.push(id);
            break;
          }
          await sleep(this.opts.writeRetryEveryMs);
        }
      }
      await sleep(this.opts.writeEveryMs);
    }
  }
}

/** A fault that was on from `start` to `end` (the restore), in the driver's clock. */
export interface FaultWindow {
  name: string;
  start: number;
  end: number;
  /**
   * How long after `end` a failure may still be caused by the fault: a connect that began
   * during the fault ends only when it fails (at once when refused, after the connect timeout
   * when black-holed), and readers that joined it get its error.
   */
  slackMs: number;
}

/**
 * A phase of the schedule: `apply` runs at its start, then it lasts `ms`. A phase whose
 * `restores` is set closes the fault window opened by the phase of that name.
 */
export interface Phase {
  name: string;
  ms: number;
  apply(): void;
  /** The failures this fault may cause are allowed from its start until the next restore, plus this slack. */
  faultSlackMs?: number;
}

/** Runs the phases in order against the driver's clock; returns when each began and the fault windows. */
export async function runSchedule(driver: LoadDriver, phases: Phase[]): Promise<{ marks: Record<string, number>; windows: FaultWindow[] }> {
  const marks: Record<string, number> = {};
  const windows: FaultWindow[] = [];
  let open: FaultWindow | null = null;
  for (const phase of phases) {
    const at = driver.now();
    phase.apply();
    marks[phase.name] = at;
    if (open) {
      open.end = at;
      windows.push(open);
      open = null;
    }
    if (phase.faultSlackMs !== undefined) open = { name: phase.name, start: at, end: Infinity, slackMs: phase.faultSlackMs };
    await sleep(phase.ms);
  }
  if (open) {
    open.end = driver.now();
    windows.push(open);
  }
  return { marks, windows };
}

/** A failed read that was in flight at no moment of any fault window (slack included). */
export function failedOutside(reads: ReadSample[], windows: FaultWindow[]): ReadSample[] {
  return reads.filter((r) => !r.ok && !windows.some((w) => r.end >= w.start && r.start <= w.end + w.slackMs));
}

/**
 * How long after the restore that closed `window` the first read succeeded (its end minus the
 * restore); null when none did.
 */
export function recoveryMs(reads: ReadSample[], window: FaultWindow): number | null {
  let first: number | null = null;
  for (const r of reads) if (r.ok && r.end >= window.end && (first === null || r.end < first)) first = r.end;
  return first === null ? null : Math.round(first - window.end);
}

/** Reads that failed, grouped by the window they overlap (for the summary). */
export function failedIn(reads: ReadSample[], window: FaultWindow): number {
  return reads.filter((r) => !r.ok && r.end >= window.start && r.start <= window.end + window.slackMs).length;
}

/** heapUsed in MB after a GC when `--expose-gc` made one available. */
export function heapUsedMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** Counts `unhandledRejection`s from now until `stop()`. */
export function watchUnhandledRejections(): { readonly count: number; readonly reasons: string[]; stop(): void } {
  const reasons: string[] = [];
  const onRejection = (reason: unknown) => reasons.push(String((reason as Error)?.stack ?? reason));
  process.on('unhandledRejection', onRejection);
  return {
    get count() {
      return reasons.length;
    },
    reasons,
    stop: () => process.off('unhandledRejection', onRejection),
  };
}

/** Samples `probe` every `everyMs` until stopped, keeping the maximum (a server-side count). */
export function sampleMax(probe: () => Promise<number>, everyMs: number): { readonly max: number; stop(): Promise<void> } {
  let max = 0;
  let stopped = false;
  const loop = (async () => {
    // Bounded: a run lasts seconds; 2 000 samples is far beyond it.
    for (let n = 0; n < 2_000 && !stopped; n++) {
      try {
        max = Math.max(max, await probe());
      } catch {
        // the admin client itself is not under test
      }
      await sleep(everyMs);
    }
  })();
  return {
    get max() {
      return max;
    },
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
