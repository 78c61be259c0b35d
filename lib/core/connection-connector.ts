import { ConnectPolicy } from './connect-policy.js';
import type { ConnectionBinding } from './connection-binding.js';
import { CircuitOpenError, ConnectError, ConnectionClosedError, ConnectionsError } from '../errors/connection.errors.js';
import type { ConnectionEvent, ConnectionEventType } from '../interfaces/connection-event.interface.js';
import type { ConnectContext } from '../interfaces/use-options.interface.js';
import { maskError } from '../utils/mask.util.js';
import { withTimeout } from '../utils/timeout.util.js';

/** At most one connect-failure warning per connection in this interval. */
const FAILURE_LOG_INTERVAL_MS = 5_000;

/** Counters of one lifecycle, shown by `info()`. */
export interface ConnectStats {
  /** Instances created so far. */
  generation: number;
  connects: number;
  failures: number;
  /** Masked message of the last connect failure. */
  lastError: string | null;
}

export type EmitExtra = Pick<ConnectionEvent, 'durationMs' | 'error'>;

/** What a connector needs from the connection it connects for. */
export interface ConnectorHost<TRaw> {
  readonly binding: ConnectionBinding;
  /** Calls the author's `_connect` (with its own copy of the options). */
  open(context: ConnectContext): Promise<TRaw> | TRaw;
  emit(type: ConnectionEventType, generation: number, extra?: EmitExtra): void;
  /** Disposes an instance that arrived after its connect had timed out. */
  discard(raw: TRaw): void;
}

/**
 * One connect through the policies: retries with backoff and jitter, the circuit breaker, the
 * connect timeout. Each `_connect` call emits `connecting`, then `connected` or
 * `connect-failed` (E1). Errors leave as `ConnectError` (masked message, original `cause`),
 * `CircuitOpenError`, or our own errors unchanged. Knows nothing of slots or epochs: the
 * lifecycle decides what becomes of the instance.
 */
export class Connector<TRaw> {
  /** The signals of connects in flight, aborted at shutdown; null when none is (idle keys are many: keep them small). */
  #inFlight: Set<AbortController> | null = null;
  /**
   * The cockatiel policy of the binding it was built for, built on first connect (it is most of
   * an idle connection's memory, and most connections of a large app never connect). A new
   * binding (a secrets reload) gets a new one.
   */
  #policy: ConnectPolicy | null = null;
  #policyBinding: ConnectionBinding | null = null;
  /** Rate limit of the connect-failure warning: when it was last logged, and how many were held back since. */
  #failureLog: { at: number; held: number } | null = null;
  #closed = false;

  constructor(
    private readonly host: ConnectorHost<TRaw>,
    private readonly stats: ConnectStats,
  ) {}

  /** Shutdown: connects in flight are told through their signal; no new `_connect` starts. */
  close(): void {
    this.#closed = true;
    for (const controller of this.#inFlight ?? []) controller.abort(new Error('the application is shutting down'));
  }

  /** The breaker's state for `info()`, or null when none is configured. */
  get circuit(): ConnectPolicy['circuitState'] {
    const binding = this.host.binding;
    if (this.#policyBinding === binding && this.#policy) return this.#policy.circuitState;
    return binding.policy.breaker ? 'closed' : null;
  }

  async connect(): Promise<{ raw: TRaw; generation: number }> {
    const binding = this.host.binding;
    try {
      return await this.#policyOf(binding).policy.execute((context) =>
        this.#once(binding, ((context as { attempt?: number }).attempt ?? 0) + 1),
      );
    } catch (err) {
      if (err instanceof ConnectionsError) throw err;
      if (ConnectPolicy.isCircuitOpen(err)) throw new CircuitOpenError(binding.name);
      throw new ConnectError(binding.name, maskError(err, binding.secretValues), err);
    }
  }

  /** The breaker's transitions become events, so `events$` and the admin page show them. */
  #policyOf(binding: ConnectionBinding): ConnectPolicy {
    if (this.#policy && this.#policyBinding === binding) return this.#policy;
    const policy = (this.#policy = new ConnectPolicy(binding.policy));
    this.#policyBinding = binding;
    const breaker = policy.breaker;
    if (breaker) {
      breaker.onBreak(() => this.host.emit('circuit-open', this.stats.generation));
      breaker.onHalfOpen(() => this.host.emit('circuit-half-open', this.stats.generation));
      breaker.onReset(() => this.host.emit('circuit-closed', this.stats.generation));
    }
    return policy;
  }

  async #once(binding: ConnectionBinding, attempt: number): Promise<{ raw: TRaw; generation: number }> {
    if (this.#closed) throw new ConnectionClosedError(binding.name);
    const stats = this.stats;
    const started = performance.now();
    this.host.emit('connecting', stats.generation + 1);
    const timeoutMs = binding.policy.connectTimeoutMs;
    // Aborted on timeout, and at shutdown (see `close`).
    const controller = new AbortController();
    const inFlight = (this.#inFlight ??= new Set());
    inFlight.add(controller);
    try {
      // Called now, not in a later microtask: a stampede of callers must not delay the connect.
      // (The executor also turns a synchronous throw of `_connect` into a rejection.)
      const connecting = new Promise<TRaw>((resolve) => resolve(this.host.open({ signal: controller.signal, attempt })));
      const raw =
        timeoutMs === null
          ? await connecting
          : await withTimeout(connecting, timeoutMs, `connect timed out after ${timeoutMs} ms`, () => {
              controller.abort();
              // The late instance, if it ever comes, is disposed: a timeout must not leak it.
              connecting.then(
                (late) => this.host.discard(late),
                () => undefined,
              );
            });
      const generation = ++stats.generation;
      const durationMs = Math.round(performance.now() - started);
      stats.connects++;
      stats.lastError = null;
      this.host.emit('connected', generation, { durationMs });
      if (durationMs > binding.policy.slowConnectMs) {
        binding.logger.warn(`Connection "${binding.name}" took ${durationMs} ms to connect`);
      }
      return { raw, generation };
    } catch (err) {
      const message = maskError(err, binding.secretValues);
      stats.failures++;
      stats.lastError = message;
      this.host.emit('connect-failed', stats.generation + 1, {
        durationMs: Math.round(performance.now() - started),
        error: message,
      });
      this.#warnFailure(binding, attempt, message);
      throw err;
    } finally {
      inFlight.delete(controller);
      if (inFlight.size === 0 && this.#inFlight === inFlight) this.#inFlight = null;
    }
  }

  /**
   * One warning per failed connect, but at most one every `FAILURE_LOG_INTERVAL_MS`: during an
   * outage under load every call tries to connect, and the log must stay readable. The next
   * warning says how many were held back; events and `info()` count them all.
   */
  #warnFailure(binding: ConnectionBinding, attempt: number, message: string): void {
    const now = Date.now();
    const last = this.#failureLog;
    if (last && now - last.at < FAILURE_LOG_INTERVAL_MS) {
      last.held++;
      return;
    }
    const held = last?.held ? ` (${last.held} more failures since the last warning)` : '';
    binding.logger.warn(`Connection "${binding.name}" failed to connect (try ${attempt}): ${message}${held}`);
    this.#failureLog = { at: now, held: 0 };
  }
}
