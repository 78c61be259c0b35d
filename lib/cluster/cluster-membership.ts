import type { ClusterMember } from '../interfaces/cluster.interfaces.js';
import type { MemberBody } from './cluster-message.js';

interface MemberRecord {
  session: string;
  version: string | null;
  startedAt: number;
  lastSeen: number;
}

/**
 * The other replicas this one has heard from, by instance id. A replica is live while it was
 * heard from within `livenessMs` (3 heartbeats); a "bye" removes it at once, so a replica
 * that stopped cleanly is not reported missing by the next broadcast.
 */
export class ClusterMembership {
  readonly #members = new Map<string, MemberRecord>();

  constructor(private readonly livenessMs: number) {}

  /**
   * Records a hello or heartbeat. Returns true when the replica is new to us: never seen, gone
   * since, or restarted (a new session under the same id).
   */
  see(instanceId: string, session: string, body: MemberBody, now = Date.now()): boolean {
    const known = this.#members.get(instanceId);
    const isNew = !known || known.session !== session || now - known.lastSeen > this.livenessMs;
    this.#members.set(instanceId, { session, version: body.version, startedAt: body.startedAt, lastSeen: now });
    return isNew;
  }

  /** Any message proves the sender alive (an answer arriving before its first heartbeat, say). */
  touch(instanceId: string, session: string, now = Date.now()): void {
    const known = this.#members.get(instanceId);
    if (known && known.session === session) known.lastSeen = now;
  }

  /** A "bye": removed only if it comes from the session we know (not from a stale namesake). */
  leave(instanceId: string, session: string): boolean {
    const known = this.#members.get(instanceId);
    if (!known || known.session !== session) return false;
    this.#members.delete(instanceId);
    return true;
  }

  /** Drops the replicas not heard from within the liveness window; returns their ids. */
  prune(now = Date.now()): string[] {
    const gone: string[] = [];
    for (const [id, member] of this.#members) {
      if (now - member.lastSeen > this.livenessMs) {
        this.#members.delete(id);
        gone.push(id);
      }
    }
    return gone;
  }

  /** Ids of the live replicas. */
  liveIds(now = Date.now()): string[] {
    return [...this.#members].filter(([, m]) => now - m.lastSeen <= this.livenessMs).map(([id]) => id);
  }

  /** The live replicas, for the status. */
  list(now = Date.now()): ClusterMember[] {
    return [...this.#members]
      .filter(([, m]) => now - m.lastSeen <= this.livenessMs)
      .map(([instanceId, m]) => ({
        instanceId,
        version: m.version,
        startedAt: new Date(m.startedAt).toISOString(),
        lastSeen: new Date(m.lastSeen).toISOString(),
        self: false,
      }));
  }
}
