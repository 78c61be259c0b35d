import type { Logger } from '@nestjs/common';
import type { ClusterMessage } from './cluster-message.js';

/** What the watch needs from its replica. */
export interface OwnIdHooks {
  /** Whether the replica has joined (then it defends its id instead of yielding it). */
  joined(): boolean;
  /** Tells a newcomer with our id (its session) to refuse to start. */
  sendConflict(session: string): void;
  /** A live namesake was found after we joined: an `id-conflict` event. */
  namesake(): void;
}

/**
 * Messages under this replica's own instance id: our own echo (the heartbeats coming back
 * through the broker prove the link alive), or another process using our id. A newcomer with
 * our id is told to refuse to start; while we are the newcomer, `objection()` tells whether
 * the holder of the id objected within one heartbeat.
 */
export class ClusterOwnIdWatch {
  /** When our own hello or heartbeat last came back through the broker. */
  lastSelfSeen = 0;
  /** Set while joining for the first time: called when a live replica turns out to hold our id. */
  #onConflict: (() => void) | null = null;
  /** Sessions of namesakes already reported, so a namesake's heartbeats are logged once, not every second. */
  readonly #namesakes = new Set<string>();

  constructor(
    private readonly instanceId: string,
    private readonly session: string,
    private readonly logger: Logger,
    private readonly hooks: OwnIdHooks,
  ) {}

  /** Resolves true when the holder of our id objects within `waitMs`, else false. */
  objection(waitMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), waitMs);
      this.#onConflict = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  /** The id check is over (passed or failed). */
  endObjection(): void {
    this.#onConflict = null;
  }

  handle(message: ClusterMessage): void {
    if (message.session === this.session) {
      if (message.kind === 'heartbeat' || message.kind === 'hello') this.lastSelfSeen = Date.now();
      return; // our own resets were handled locally; our own answers do not come back here
    }
    switch (message.kind) {
      case 'conflict':
        if (message.body.session === this.session) this.#onConflict?.();
        return;
      case 'hello':
        if (this.hooks.joined()) {
          // A newcomer with our id: tell it to refuse to start. We stay.
          this.logger.warn(`A replica tried to join with this replica's id "${this.instanceId}"; it was told to refuse to start`);
          this.hooks.sendConflict(message.session);
        } else {
          this.#onConflict?.();
        }
        return;
      case 'heartbeat':
        if (this.#onConflict) return this.#onConflict();
        if (this.#namesakes.has(message.session)) return;
        this.#namesakes.add(message.session);
        this.logger.error(`Another live replica uses this replica's id "${this.instanceId}": give each replica its own cluster.instanceId`);
        this.hooks.namesake();
        return;
      default:
        return;
    }
  }
}
