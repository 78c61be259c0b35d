import { randomUUID } from 'node:crypto';
import type { ResetStrategy } from '../interfaces/reset-result.interface.js';
import { isPlainObject } from '../utils/object.util.js';

/** Protocol version: a replica drops messages of another version as malformed. */
export const PROTOCOL_VERSION = 1;

/** What a replica says about itself in hello, heartbeat and bye. */
export interface MemberBody {
  version: string | null;
  /** Epoch ms. */
  startedAt: number;
}

export interface ResetBody {
  /** A connection name, or null for every connection. */
  name: string | null;
  strategy?: ResetStrategy;
  /** For a keyed connection: only this key. */
  key?: string;
  /** Ids or globs, or null for every replica. */
  targets: string[] | null;
}

export type AckBody = { re: string; ok: true; result: unknown } | { re: string; ok: false; error: string };

interface Bodies {
  /** A replica joins: everyone answers with a heartbeat; the holder of the same id objects. */
  hello: MemberBody;
  heartbeat: MemberBody;
  /** A replica leaves (graceful shutdown): it is not "missing" from later broadcasts. */
  bye: MemberBody;
  /** "Your id is mine": sent to a joining replica whose session differs from the holder's. */
  conflict: { session: string };
  reset: ResetBody;
  ack: AckBody;
}

export type ClusterMessageKind = keyof Bodies;

/**
 * Every message. `id` is unique per message (the replay guard remembers it); `session`
 * tells two processes with the same `from` apart; `at` (epoch ms) bounds how long an id must
 * be remembered; `channel` stops a message signed for one app being replayed into another
 * that shares the key.
 */
export type ClusterMessage = {
  [K in ClusterMessageKind]: {
    v: typeof PROTOCOL_VERSION;
    id: string;
    kind: K;
    channel: string;
    from: string;
    session: string;
    at: number;
    body: Bodies[K];
  };
}[ClusterMessageKind];

export type ClusterMessageOf<K extends ClusterMessageKind> = Extract<ClusterMessage, { kind: K }>;

export function newMessageId(): string {
  return randomUUID();
}

const KINDS = new Set<string>(['hello', 'heartbeat', 'bye', 'conflict', 'reset', 'ack']);

/** Shape check of a verified message: a signed message from another version must not crash us. */
export function isClusterMessage(value: unknown): value is ClusterMessage {
  if (!isPlainObject(value)) return false;
  const { v, id, kind, channel, from, session, at, body } = value;
  if (v !== PROTOCOL_VERSION || typeof kind !== 'string' || !KINDS.has(kind)) return false;
  if (typeof id !== 'string' || typeof channel !== 'string' || typeof from !== 'string' || typeof session !== 'string') {
    return false;
  }
  if (typeof at !== 'number' || !Number.isFinite(at) || !isPlainObject(body)) return false;
  switch (kind) {
    case 'hello':
    case 'heartbeat':
    case 'bye':
      return (body.version === null || typeof body.version === 'string') && typeof body.startedAt === 'number';
    case 'conflict':
      return typeof body.session === 'string';
    case 'reset':
      return (
        (body.name === null || typeof body.name === 'string') &&
        (body.strategy === undefined || body.strategy === 'drop' || body.strategy === 'swap') &&
        (body.key === undefined || (typeof body.key === 'string' && body.key.length > 0)) &&
        (body.targets === null || (Array.isArray(body.targets) && body.targets.every((t) => typeof t === 'string')))
      );
    default:
      return typeof body.re === 'string' && (body.ok === true || (body.ok === false && typeof body.error === 'string'));
  }
}
