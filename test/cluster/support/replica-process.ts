import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/replica.mjs', import.meta.url));

/** What a replica process sends its parent (see fixtures/replica.mjs). */
export type ReplicaMessage =
  | { type: 'ready'; instanceId: string; state: string }
  | { type: 'failed'; error: { name: string; message: string } }
  | { type: 'event'; event: { type: string; [key: string]: unknown } }
  | { type: 'connecting'; attempt: number }
  | { type: 'reply'; re: number; ok: boolean; value?: unknown; error?: { name: string; message: string } };

export interface ReplicaSpec {
  /** The `cluster` option of the replica's ConnectionsModule.forRoot(). */
  cluster: Record<string, unknown>;
  /** Passed as CONNECTIONS_CLUSTER_KEY (undefined: not set). */
  key?: string;
  /** Connects of "probe" after the first hang (the replica is then stuck mid-reset). */
  hangReconnects?: boolean;
  quiet?: boolean;
}

/** An error a replica answered with, rebuilt on this side. */
export class ReplicaError extends Error {
  constructor(
    readonly remoteName: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A replica of the app in its own Node process, driven over IPC. Every message it sends is
 * kept, so a test can wait for one (bounded) instead of sleeping; its stdout and stderr are
 * kept too, for assertions on its logs and for failure reports.
 */
export class ReplicaProcess {
  readonly messages: ReplicaMessage[] = [];
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;
  readonly #waiters = new Set<() => void>();
  #nextId = 1;

  private constructor(library: string, spec: ReplicaSpec) {
    this.#child = fork(FIXTURE, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...process.env,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
        REPLICA_LIBRARY: library,
        REPLICA_CLUSTER: JSON.stringify(spec.cluster),
        CONNECTIONS_CLUSTER_KEY: spec.key ?? '',
        REPLICA_HANG_RECONNECTS: spec.hangReconnects ? '1' : '0',
        REPLICA_QUIET: spec.quiet ? '1' : '0',
      },
    });
    this.#child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.#child.on('message', (message: ReplicaMessage) => {
      this.messages.push(message);
      for (const wake of this.#waiters) wake();
    });
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => {
      for (const wake of this.#waiters) wake();
    });
  }

  /** Starts a replica without waiting for it. */
  static spawn(library: string, spec: ReplicaSpec): ReplicaProcess {
    return new ReplicaProcess(library, spec);
  }

  /** Starts a replica and waits until it has booted (and joined, or found the broker down). */
  static async start(library: string, spec: ReplicaSpec, timeoutMs = 20_000): Promise<ReplicaProcess> {
    const replica = new ReplicaProcess(library, spec);
    const outcome = await replica.waitFor((m) => m.type === 'ready' || m.type === 'failed', 'boot', timeoutMs);
    if (outcome.type === 'failed') {
      throw new Error(`replica failed to start: ${outcome.error.name}: ${outcome.error.message}\n${replica.output}`);
    }
    return replica;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Index to pass as `from` to `waitFor`, to consider only messages that arrive later. */
  mark(): number {
    return this.messages.length;
  }

  /** The first message (from index `from` on) matching `predicate`; fails after `timeoutMs` or when the process exits. */
  waitFor<T extends ReplicaMessage>(
    predicate: (message: ReplicaMessage) => message is T,
    what: string,
    timeoutMs?: number,
    from?: number,
  ): Promise<T>;
  waitFor(predicate: (message: ReplicaMessage) => boolean, what: string, timeoutMs?: number, from?: number): Promise<ReplicaMessage>;
  waitFor(predicate: (message: ReplicaMessage) => boolean, what: string, timeoutMs = 10_000, from = 0): Promise<ReplicaMessage> {
    return new Promise((resolve, reject) => {
      let exited = false;
      void this.exited.then(() => (exited = true));
      const check = () => {
        const found = this.messages.slice(from).find(predicate);
        if (found) return finish(() => resolve(found));
        if (exited) return finish(() => reject(new Error(`replica exited while waiting for ${what}\n${this.output}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.output}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Waits for a cluster event of this type (from index `from` on). */
  waitForEvent(type: string, timeoutMs = 10_000, from = 0): Promise<ReplicaMessage> {
    return this.waitFor((m) => m.type === 'event' && m.event.type === type, `cluster event "${type}"`, timeoutMs, from);
  }

  /** Runs a command in the replica; rejects with a ReplicaError when the replica's call threw. */
  async call<T = unknown>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
    const id = this.#nextId++;
    const from = this.messages.length;
    this.#child.send({ id, cmd, args });
    const reply = await this.waitFor(
      (m): m is Extract<ReplicaMessage, { type: 'reply' }> => m.type === 'reply' && m.re === id,
      `the answer to ${cmd}`,
      timeoutMs,
      from,
    );
    if (!reply.ok) throw new ReplicaError(reply.error!.name, reply.error!.message);
    return reply.value as T;
  }

  /** SIGKILL: no "bye", no cleanup — a crashed replica. */
  async kill(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    await this.exited;
  }

  /** A graceful stop (app.close(), which says "bye"); killed if it does not exit in time. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    try {
      await this.call('close', {}, timeoutMs);
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    } catch {
      // already gone, or stuck: killed below
    }
    await this.kill();
  }
}
