import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';
import { kClose } from '../core/connection.symbols.js';
import { ConnectionConfigError, ConnectionsError } from '../errors/connection.errors.js';
import { ClusterInstanceIdConflictError, ClusterUnavailableError } from '../errors/cluster.errors.js';
import { MissingPeerError } from '../errors/missing-peer.error.js';
import type {
  ClusterDropReason,
  ClusterEvent,
  ClusterResetOptions,
  ClusterResetResult,
  ClusterState,
  ClusterStatus,
} from '../interfaces/cluster.interfaces.js';
import type { ResetResult } from '../interfaces/reset-result.interface.js';
import { maskError } from '../utils/mask.util.js';
import { audienceOf, PendingBroadcast, resetBodyOf } from './cluster-broadcast.js';
import { ClusterDropLog } from './cluster-drop.log.js';
import { answerReset, replyOf, resetLocally, type LocalResets } from './cluster-local-resets.js';
import { ClusterMembership } from './cluster-membership.js';
import type { ClusterMessageOf, MemberBody } from './cluster-message.js';
import type { ClusterMessageSigner } from './cluster-message.signing.js';
import type { ClusterSettings } from './cluster-options.js';
import { ClusterOwnIdWatch } from './cluster-own-id.watch.js';
import { admit, ClusterReplayGuard } from './cluster-replay.guard.js';
import type { ClusterTransport } from './cluster-transport.js';
import { LIVENESS_HEARTBEATS, RECONNECT_FIRST_DELAY_MS, RECONNECT_MAX_DELAY_MS, REPLAY_WINDOW_MS } from './cluster.constants.js';
import { ClusterOutbox } from './cluster.outbox.js';
import { statusOf } from './cluster-status.js';

export type { LocalResets } from './cluster-local-resets.js';

/**
 * One replica's membership of the cluster: it joins (checking that no live replica holds its
 * id), heartbeats, keeps the list of live replicas, broadcasts cluster resets and collects
 * one answer per replica, and answers the others' resets by resetting its own connections.
 *
 * Every message is sealed by the signer (HMAC) and passes the replay guard before anything
 * in it is acted on: a replica acts on a broadcast id once, however often it arrives.
 *
 * The broker link is `transport`, a connection of this library. When it dies the replica is
 * `down`: cluster resets fail fast, local resets are untouched, and the link reconnects with
 * backoff and rejoins on its own.
 */
export class ClusterCoordinator {
  readonly instanceId: string;
  readonly #settings: ClusterSettings;
  readonly #transport: ClusterTransport<unknown>;
  readonly #signer: ClusterMessageSigner;
  readonly #local: LocalResets;
  readonly #logger = new Logger('Connections:cluster');
  /** Tells this process apart from another one started with the same instance id. */
  readonly #session = randomUUID();
  readonly #startedAt = Date.now();
  /** Refuses messages stamped before this process started, too (a capture replayed after a restart). */
  readonly #guard = new ClusterReplayGuard(REPLAY_WINDOW_MS, this.#startedAt);
  readonly #membership: ClusterMembership;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly #pending = new Map<string, PendingBroadcast<any>>();
  readonly #events = new Subject<ClusterEvent>();
  readonly #drops = new ClusterDropLog(this.#logger, () => ({ transport: this.#transport.transportName, channel: this.#settings.channel }));
  readonly #outbox: ClusterOutbox;
  #state: ClusterState = 'joining';
  #idChecked = false;
  readonly #ownId: ClusterOwnIdWatch;
  #lastError: string | null = null;
  #heartbeatTimer: NodeJS.Timeout | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #reconnectDelay = RECONNECT_FIRST_DELAY_MS;

  /** Joins, leaves, drops and link state changes. */
  readonly events$: Observable<ClusterEvent> = this.#events.asObservable();

  constructor(settings: ClusterSettings, transport: ClusterTransport<unknown>, signer: ClusterMessageSigner, local: LocalResets) {
    this.instanceId = settings.instanceId;
    this.#settings = settings;
    this.#transport = transport;
    this.#signer = signer;
    this.#local = local;
    this.#membership = new ClusterMembership(LIVENESS_HEARTBEATS * settings.heartbeatMs);
    this.#ownId = new ClusterOwnIdWatch(this.instanceId, this.#session, this.#logger, {
      joined: () => this.#state === 'joined',
      sendConflict: (session) => this.#outbox.sendQuietly(this.instanceId, 'conflict', { session }),
      namesake: () => this.#emit({ type: 'id-conflict', at: new Date().toISOString(), instanceId: this.instanceId }),
    });
    this.#outbox = new ClusterOutbox({ instanceId: this.instanceId, session: this.#session, channel: settings.channel }, signer, transport);
  }

  get state(): ClusterState {
    return this.#state;
  }

  /** @internal The transport delivers every received payload here. */
  receive(wire: string): void {
    if (this.#state === 'closed' || this.#state === 'conflict') return;
    const opened = admit(wire, this.#signer, this.#guard, this.#settings.channel);
    if (!opened.ok) return this.#drop(opened.reason);
    const message = opened.message;
    if (message.from === this.instanceId) return this.#ownId.handle(message);
    switch (message.kind) {
      case 'hello':
        this.#see(message);
        // Answer at once, so the newcomer knows us before our next heartbeat.
        this.#outbox.sendQuietly(message.from, 'heartbeat', this.#memberBody());
        break;
      case 'heartbeat':
        this.#see(message);
        break;
      case 'bye':
        if (this.#membership.leave(message.from, message.session)) this.#memberLeft(message.from, 'bye');
        break;
      case 'reset':
        this.#membership.touch(message.from, message.session);
        void answerReset(message, this.instanceId, this.#local, this.#outbox, this.#logger);
        break;
      case 'ack':
        this.#membership.touch(message.from, message.session);
        this.#pending.get(message.body.re)?.add(replyOf(message));
        break;
      case 'conflict':
        break; // only the holder of our own id sends these (handled in #fromOwnId)
    }
  }

  /** @internal The transport lost its broker link. */
  lost(reason: string): void {
    if (this.#state === 'closed' || this.#state === 'conflict') return;
    this.#lastError = reason;
    if (this.#state !== 'down') {
      this.#state = 'down';
      this.#logger.warn(
        `Cluster transport "${this.#transport.transportName}" lost its broker (${reason}); cluster resets fail until it reconnects, local resets work`,
      );
      this.#emit({ type: 'down', at: new Date().toISOString(), error: reason });
    }
    this.#scheduleReconnect();
  }

  /**
   * Joins the cluster (called at application bootstrap). Refuses to start — throws
   * `ClusterInstanceIdConflictError` — when a live replica holds this instance id. When the
   * broker is unreachable the app starts anyway: the replica is `down` and joins (with the
   * same id check) when the broker is back.
   */
  async start(): Promise<void> {
    this.#heartbeatTimer = setInterval(() => this.#tick(), this.#settings.heartbeatMs);
    this.#heartbeatTimer.unref();
    try {
      await this.#join();
    } catch (err) {
      // Not an outage: a configuration problem or a missing package. Fail bootstrap (S4).
      if (err instanceof ClusterInstanceIdConflictError || err instanceof ConnectionConfigError || err instanceof MissingPeerError) {
        await this.stop({ silent: true });
        throw err;
      }
      this.#lastError = maskError(err);
      this.#logger.warn(
        `Cluster transport "${this.#transport.transportName}" unavailable at startup (${this.#lastError}); ` +
          'this replica joins when the broker is reachable. Until then cluster resets fail, local resets work',
      );
      this.#state = 'down';
      this.#scheduleReconnect();
    }
  }

  /** Leaves the cluster (application shutdown): a "bye" so nobody waits for this replica, then the link closes. */
  async stop(opts: { silent?: boolean } = {}): Promise<void> {
    if (this.#state === 'closed') return;
    const announce = !opts.silent && this.#transport.up && this.#state !== 'conflict';
    this.#state = 'closed';
    this.#clearTimers();
    for (const pending of this.#pending.values()) pending.finish();
    if (announce) await this.#outbox.send(null, 'bye', this.#memberBody()).catch(() => undefined);
    await this.#transport[kClose]();
    this.#events.complete();
  }

  /**
   * Broadcasts a reset of one connection (`name`) or of all (`null`) to the replicas matching
   * `targets`, this one included, and resolves — within `ackTimeout` — with one entry per
   * replica that answered and the live ones that did not. Throws `ClusterUnavailableError` at
   * once when the broker is unreachable.
   */
  reset(name: string, opts: ClusterResetOptions): Promise<ClusterResetResult<ResetResult>>;
  reset(name: null, opts: ClusterResetOptions): Promise<ClusterResetResult<ResetResult[]>>;
  async reset(name: string | null, opts: ClusterResetOptions): Promise<ClusterResetResult<ResetResult | ResetResult[]>> {
    const label = name ?? '*';
    const body = resetBodyOf(name, opts);
    if (this.#state === 'closed' || this.#state === 'conflict' || !this.#transport.up) {
      const reason =
        this.#state === 'closed'
          ? 'the application is shutting down'
          : this.#state === 'conflict'
            ? `instance id "${this.instanceId}" is held by another replica`
            : (this.#lastError ?? this.#transport.lastError);
      throw new ClusterUnavailableError(label, this.#transport.transportName, reason);
    }
    const message = this.#outbox.message('reset', body);
    const { self, expected, unknown } = audienceOf(this.instanceId, this.#membership.liveIds(), body.targets);
    const pending = new PendingBroadcast<ResetResult | ResetResult[]>(
      message.id,
      name,
      body.targets,
      expected,
      this.#settings.ackTimeoutMs,
      () => this.#pending.delete(message.id),
      unknown,
    );
    this.#pending.set(message.id, pending);
    try {
      await this.#outbox.broadcastWithin(message, label, this.#settings.ackTimeoutMs);
    } catch (err) {
      pending.cancel();
      throw err;
    }
    // Our own copy comes back through the broker and is ignored: this replica resets here,
    // without the round trip.
    if (self) void resetLocally(this.#local, body).then((reply) => pending.add({ instanceId: this.instanceId, ...reply }));
    return pending.promise;
  }

  /** Who is live, and how this replica's link is doing. */
  status(): ClusterStatus {
    return statusOf({
      instanceId: this.instanceId,
      settings: this.#settings,
      transport: this.#transport,
      signed: this.#signer.signed,
      state: this.#state,
      startedAt: this.#startedAt,
      lastSelfSeen: this.#ownId.lastSelfSeen,
      members: this.#membership.list(Date.now()),
      dropped: this.#drops.counts,
      lastError: this.#lastError,
    });
  }

  toJSON(): ClusterStatus {
    return this.status();
  }

  // ---- joining and staying joined ------------------------------------------------------------

  /**
   * Connects the link and announces this replica. The first successful join also waits one
   * heartbeat interval for an objection: the holder of our id answers our hello with a
   * "conflict", and its heartbeats carry another session under our id.
   */
  async #join(): Promise<void> {
    if (this.#state !== 'down') this.#state = 'joining';
    await this.#transport.resolve();
    const objection = this.#idChecked ? Promise.resolve(false) : this.#ownId.objection(this.#settings.heartbeatMs);
    try {
      await this.#outbox.send(null, 'hello', this.#memberBody());
      if (await objection) {
        throw new ClusterInstanceIdConflictError(this.instanceId, this.#transport.transportName, this.#settings.channel);
      }
    } finally {
      this.#ownId.endObjection();
    }
    this.#idChecked = true;
    // `stop()` may have run while we awaited (TypeScript cannot see that, hence the widening).
    if ((this.#state as ClusterState) === 'closed') return;
    this.#state = 'joined';
    this.#lastError = null;
    this.#ownId.lastSelfSeen = Date.now();
    this.#logger.log(
      `Replica "${this.instanceId}" joined the cluster on ${this.#transport.transportName} channel "${this.#settings.channel}"` +
        (this.#signer.signed ? '' : ' (insecure: messages are not signed)'),
    );
    this.#emit({ type: 'joined', at: new Date().toISOString() });
  }

  #scheduleReconnect(): void {
    if (this.#reconnectTimer || this.#state === 'closed') return;
    const delay = this.#reconnectDelay;
    this.#reconnectDelay = Math.min(delay * 2, Math.max(RECONNECT_MAX_DELAY_MS, this.#settings.heartbeatMs));
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#join().then(
        () => (this.#reconnectDelay = RECONNECT_FIRST_DELAY_MS),
        (err: unknown) => {
          if (this.#state === 'closed') return;
          if (err instanceof ClusterInstanceIdConflictError) return this.#conflictAfterStart(err);
          this.#lastError = err instanceof ConnectionsError ? err.message : maskError(err);
          this.#state = 'down';
          this.#scheduleReconnect();
        },
      );
    }, delay);
  }

  /** Found on a join after startup (the broker was down then): too late to refuse to start, so stay out. */
  #conflictAfterStart(err: ClusterInstanceIdConflictError): void {
    this.#state = 'conflict';
    this.#lastError = err.message;
    this.#logger.error(`${err.message} This replica stays out of the cluster until restarted with another id.`);
    this.#emit({ type: 'id-conflict', at: new Date().toISOString(), instanceId: this.instanceId });
    this.#clearTimers();
    void this.#transport[kClose]();
  }

  /** Every heartbeat interval: say we are alive, forget the silent, check our own echo. */
  #tick(): void {
    const now = Date.now();
    this.#guard.prune(now);
    for (const id of this.#membership.prune(now)) this.#memberLeft(id, 'timeout');
    if (this.#state !== 'joined' || !this.#transport.up) return;
    this.#outbox.sendQuietly(null, 'heartbeat', this.#memberBody());
    // Our heartbeats come back to us through the broker. When they stop, the link is dead
    // even if its socket looks open (a broker that hangs, a half-open TCP connection).
    // Checked after the poll phase, so an echo already waiting in the socket (the event loop
    // was busy) is read first and does not count as missing.
    setImmediate(() => {
      const silentMs = Date.now() - this.#ownId.lastSelfSeen;
      if (this.#state === 'joined' && silentMs > LIVENESS_HEARTBEATS * this.#settings.heartbeatMs) {
        this.#transport.abandon(`no echo of this replica's heartbeats for ${silentMs} ms`);
      }
    });
  }

  // ---- receiving ---------------------------------------------------------------------------

  #see(message: ClusterMessageOf<'hello' | 'heartbeat'>): void {
    if (this.#membership.see(message.from, message.session, message.body)) {
      this.#emit({ type: 'member-joined', at: new Date().toISOString(), instanceId: message.from });
    }
  }

  #memberLeft(instanceId: string, reason: 'bye' | 'timeout'): void {
    this.#emit({ type: 'member-left', at: new Date().toISOString(), instanceId, reason });
  }

  /** Counted and logged — the reason and the transport, never the payload. */
  #drop(reason: ClusterDropReason): void {
    this.#drops.record(reason);
    this.#emit({ type: 'dropped', at: new Date().toISOString(), reason });
  }

  // ---- sending -----------------------------------------------------------------------------

  #memberBody(): MemberBody {
    return { version: this.#settings.version, startedAt: this.#startedAt };
  }

  #emit(event: ClusterEvent): void {
    if (this.#events.observed) this.#events.next(event);
  }

  #clearTimers(): void {
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#heartbeatTimer = null;
    this.#reconnectTimer = null;
  }
}
