import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Subject, type Observable } from 'rxjs';
import { kClose } from '../core/connection.symbols.js';
import { ConnectionConfigError, ConnectionsError } from '../errors/connection.errors.js';
import type { ResetOptions, ResetResult } from '../interfaces/reset-result.interface.js';
import { MissingPeerError } from '../errors/missing-peer.error.js';
import { maskError } from '../utils/mask.util.js';
import { PendingBroadcast } from './cluster-broadcast.js';
import { ClusterMembership } from './cluster-membership.js';
import {
  newMessageId,
  PROTOCOL_VERSION,
  type ClusterMessage,
  type ClusterMessageKind,
  type ClusterMessageOf,
  type MemberBody,
  type ResetBody,
} from './cluster-message.js';
import type { ClusterMessageSigner } from './cluster-message.signing.js';
import type { ClusterSettings } from './cluster-options.js';
import { ClusterReplayGuard } from './cluster-replay.guard.js';
import type { ClusterTransport } from './cluster-transport.js';
import { LIVENESS_HEARTBEATS, RECONNECT_FIRST_DELAY_MS, RECONNECT_MAX_DELAY_MS } from './cluster.constants.js';
import { ClusterInstanceIdConflictError, ClusterUnavailableError } from '../errors/cluster.errors.js';
import type {
  ClusterDropReason,
  ClusterEvent,
  ClusterReply,
  ClusterResetOptions,
  ClusterResetResult,
  ClusterState,
  ClusterStatus,
} from '../interfaces/cluster.interfaces.js';
import { isTargeted, normalizeTargets } from './instance-targets.js';

/** What the coordinator resets on this replica: the registry's local resets. */
export interface LocalResets {
  reset(name: string, opts?: ResetOptions): Promise<ResetResult>;
  resetAll(opts?: ResetOptions): Promise<ResetResult[]>;
}

/** Repeated drops are logged at most this often per reason (a flood must not flood the logs). */
const DROP_LOG_INTERVAL_MS = 10_000;

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
  readonly #guard = new ClusterReplayGuard();
  readonly #membership: ClusterMembership;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly #pending = new Map<string, PendingBroadcast<any>>();
  readonly #events = new Subject<ClusterEvent>();
  readonly #dropped: Record<ClusterDropReason, number> = { malformed: 0, unsigned: 0, 'bad-signature': 0, replayed: 0, stale: 0 };
  readonly #dropLogged = new Map<ClusterDropReason, { at: number; count: number }>();
  #state: ClusterState = 'joining';
  #idChecked = false;
  /** Set while joining for the first time: called when a live replica turns out to hold our id. */
  #onConflict: (() => void) | null = null;
  #lastSelfSeen = 0;
  /** Sessions of namesakes already reported, so a namesake's heartbeats are logged once, not every second. */
  readonly #namesakes = new Set<string>();
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
  }

  get state(): ClusterState {
    return this.#state;
  }

  /** @internal The transport delivers every received payload here. */
  receive(wire: string): void {
    if (this.#state === 'closed' || this.#state === 'conflict') return;
    const opened = this.#signer.open(wire);
    if (!opened.ok) return this.#drop(opened.reason);
    const message = opened.message;
    // Signed for another channel (an app sharing the key): a replay from elsewhere.
    if (message.channel !== this.#settings.channel) return this.#drop('replayed');
    const admitted = this.#guard.admit(message.id, message.at);
    if (admitted !== 'ok') return this.#drop(admitted);
    if (message.from === this.instanceId) return this.#fromOwnId(message);
    switch (message.kind) {
      case 'hello':
        this.#see(message);
        // Answer at once, so the newcomer knows us before our next heartbeat.
        this.#sendQuietly(message.from, 'heartbeat', this.#memberBody());
        break;
      case 'heartbeat':
        this.#see(message);
        break;
      case 'bye':
        if (this.#membership.leave(message.from, message.session)) this.#memberLeft(message.from, 'bye');
        break;
      case 'reset':
        this.#membership.touch(message.from, message.session);
        void this.#answerReset(message);
        break;
      case 'ack':
        this.#membership.touch(message.from, message.session);
        this.#pending.get(message.body.re)?.add(this.#replyOf(message));
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
    if (announce) await this.#send(null, 'bye', this.#memberBody()).catch(() => undefined);
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
    const targets = normalizeTargets(label, opts.targets);
    const strategy = opts.strategy;
    if (strategy !== undefined && strategy !== 'drop' && strategy !== 'swap') {
      throw new ConnectionConfigError(label, 'strategy', 'unknown reset strategy; use "drop" or "swap"');
    }
    if (this.#state === 'closed' || this.#state === 'conflict' || !this.#transport.up) {
      const reason =
        this.#state === 'closed'
          ? 'the application is shutting down'
          : this.#state === 'conflict'
            ? `instance id "${this.instanceId}" is held by another replica`
            : (this.#lastError ?? this.#transport.lastError);
      throw new ClusterUnavailableError(label, this.#transport.transportName, reason);
    }
    const body: ResetBody = { name, targets, ...(strategy ? { strategy } : {}) };
    const message = this.#message('reset', body);
    const selfTargeted = isTargeted(this.instanceId, targets);
    const expected = new Set(this.#membership.liveIds().filter((id) => isTargeted(id, targets)));
    if (selfTargeted) expected.add(this.instanceId);
    const pending = new PendingBroadcast<ResetResult | ResetResult[]>(
      message.id,
      name,
      targets,
      expected,
      this.#settings.ackTimeoutMs,
      () => this.#pending.delete(message.id),
    );
    this.#pending.set(message.id, pending);
    try {
      await this.#transport.send(null, this.#signer.seal(message), label);
    } catch (err) {
      pending.cancel();
      throw err;
    }
    // Our own copy comes back through the broker and is ignored: this replica resets here,
    // without the round trip.
    if (selfTargeted) void this.#resetLocally(body).then((reply) => pending.add({ instanceId: this.instanceId, ...reply }));
    return pending.promise;
  }

  /** Who is live, and how this replica's link is doing. */
  status(): ClusterStatus {
    const now = Date.now();
    const self = {
      instanceId: this.instanceId,
      version: this.#settings.version,
      startedAt: new Date(this.#startedAt).toISOString(),
      lastSeen: new Date(this.#lastSelfSeen || this.#startedAt).toISOString(),
      self: true,
    };
    const members = [...this.#membership.list(now), self].toSorted((a, b) => a.instanceId.localeCompare(b.instanceId));
    return {
      instanceId: this.instanceId,
      transport: this.#transport.transportName,
      channel: this.#settings.channel,
      state: this.#state,
      version: this.#settings.version,
      signed: this.#signer.signed,
      ackTimeoutMs: this.#settings.ackTimeoutMs,
      heartbeatMs: this.#settings.heartbeatMs,
      members,
      dropped: { ...this.#dropped },
      link: this.#transport.info(),
      lastError: this.#lastError,
    };
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
    const checking = !this.#idChecked;
    const objection = checking
      ? new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), this.#settings.heartbeatMs);
          this.#onConflict = () => {
            clearTimeout(timer);
            resolve(true);
          };
        })
      : Promise.resolve(false);
    try {
      await this.#send(null, 'hello', this.#memberBody());
      if (await objection) {
        throw new ClusterInstanceIdConflictError(this.instanceId, this.#transport.transportName, this.#settings.channel);
      }
    } finally {
      this.#onConflict = null;
    }
    this.#idChecked = true;
    // `stop()` may have run while we awaited (TypeScript cannot see that, hence the widening).
    if ((this.#state as ClusterState) === 'closed') return;
    this.#state = 'joined';
    this.#lastError = null;
    this.#lastSelfSeen = Date.now();
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
    this.#sendQuietly(null, 'heartbeat', this.#memberBody());
    // Our heartbeats come back to us through the broker. When they stop, the link is dead
    // even if its socket looks open (a broker that hangs, a half-open TCP connection).
    // Checked after the poll phase, so an echo already waiting in the socket (the event loop
    // was busy) is read first and does not count as missing.
    setImmediate(() => {
      const silentMs = Date.now() - this.#lastSelfSeen;
      if (this.#state === 'joined' && silentMs > LIVENESS_HEARTBEATS * this.#settings.heartbeatMs) {
        this.#transport.abandon(`no echo of this replica's heartbeats for ${silentMs} ms`);
      }
    });
  }

  // ---- receiving ---------------------------------------------------------------------------

  /** A message under our own instance id: our own echo, or another process using our id. */
  #fromOwnId(message: ClusterMessage): void {
    if (message.session === this.#session) {
      if (message.kind === 'heartbeat' || message.kind === 'hello') this.#lastSelfSeen = Date.now();
      return; // our own resets were handled locally; our own answers do not come back here
    }
    switch (message.kind) {
      case 'conflict':
        if (message.body.session === this.#session) this.#onConflict?.();
        return;
      case 'hello':
        if (this.#state === 'joined') {
          // A newcomer with our id: tell it to refuse to start. We stay.
          this.#logger.warn(`A replica tried to join with this replica's id "${this.instanceId}"; it was told to refuse to start`);
          this.#sendQuietly(this.instanceId, 'conflict', { session: message.session });
        } else {
          this.#onConflict?.();
        }
        return;
      case 'heartbeat':
        if (this.#onConflict) return this.#onConflict();
        if (this.#namesakes.has(message.session)) return;
        this.#namesakes.add(message.session);
        this.#logger.error(`Another live replica uses this replica's id "${this.instanceId}": give each replica its own cluster.instanceId`);
        this.#emit({ type: 'id-conflict', at: new Date().toISOString(), instanceId: this.instanceId });
        return;
      default:
        return;
    }
  }

  #see(message: ClusterMessageOf<'hello' | 'heartbeat'>): void {
    if (this.#membership.see(message.from, message.session, message.body)) {
      this.#emit({ type: 'member-joined', at: new Date().toISOString(), instanceId: message.from });
    }
  }

  #memberLeft(instanceId: string, reason: 'bye' | 'timeout'): void {
    this.#emit({ type: 'member-left', at: new Date().toISOString(), instanceId, reason });
  }

  async #answerReset(message: ClusterMessageOf<'reset'>): Promise<void> {
    if (!isTargeted(this.instanceId, message.body.targets)) return;
    const reply = await this.#resetLocally(message.body);
    const what = message.body.name === null ? 'all connections' : `"${message.body.name}"`;
    this.#logger.log(
      `Cluster reset ${message.id} from "${message.from}": ${what} ${reply.ok ? 'reset' : `failed: ${reply.error}`}`,
    );
    try {
      await this.#send(message.from, 'ack', { re: message.id, ...reply });
    } catch (err) {
      this.#logger.warn(`Could not answer cluster reset ${message.id}: ${maskError(err)}`);
    }
  }

  async #resetLocally(
    body: ResetBody,
  ): Promise<{ ok: true; result: ResetResult | ResetResult[] } | { ok: false; error: string }> {
    const opts: ResetOptions = body.strategy ? { strategy: body.strategy } : {};
    try {
      const result = body.name === null ? await this.#local.resetAll(opts) : await this.#local.reset(body.name, opts);
      return { ok: true, result };
    } catch (err) {
      // Our errors are masked at the source (M1); anything else is masked here.
      return { ok: false, error: err instanceof ConnectionsError ? err.message : maskError(err) };
    }
  }

  #replyOf(message: ClusterMessageOf<'ack'>): ClusterReply<unknown> {
    const body = message.body;
    return body.ok
      ? { instanceId: message.from, ok: true, result: body.result }
      : { instanceId: message.from, ok: false, error: body.error };
  }

  /** Counted and logged — the reason and the transport, never the payload. */
  #drop(reason: ClusterDropReason): void {
    this.#dropped[reason]++;
    this.#emit({ type: 'dropped', at: new Date().toISOString(), reason });
    const now = Date.now();
    const logged = this.#dropLogged.get(reason) ?? { at: -Infinity, count: 0 };
    logged.count++;
    if (now - logged.at >= DROP_LOG_INTERVAL_MS) {
      this.#logger.warn(
        `Dropped ${logged.count} cluster message${logged.count > 1 ? 's' : ''} (${reason}) on ${this.#transport.transportName} ` +
          `channel "${this.#settings.channel}"; ${this.#dropped[reason]} ${reason} since start`,
      );
      logged.at = now;
      logged.count = 0;
    }
    this.#dropLogged.set(reason, logged);
  }

  // ---- sending -----------------------------------------------------------------------------

  #message<K extends ClusterMessageKind>(kind: K, body: ClusterMessageOf<K>['body']): ClusterMessageOf<K> {
    return {
      v: PROTOCOL_VERSION,
      id: newMessageId(),
      kind,
      channel: this.#settings.channel,
      from: this.instanceId,
      session: this.#session,
      at: Date.now(),
      body,
    } as ClusterMessageOf<K>;
  }

  #send<K extends ClusterMessageKind>(to: string | null, kind: K, body: ClusterMessageOf<K>['body']): Promise<void> {
    return this.#transport.send(to, this.#signer.seal(this.#message(kind, body) as ClusterMessage));
  }

  /** Heartbeats and courtesy answers: a failure already marks the link lost; nothing else to do. */
  #sendQuietly<K extends ClusterMessageKind>(to: string | null, kind: K, body: ClusterMessageOf<K>['body']): void {
    this.#send(to, kind, body).catch(() => undefined);
  }

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
