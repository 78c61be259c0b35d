import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { MAX_MESSAGE_BYTES } from './cluster.constants.js';
import { isClusterMessage, type ClusterMessage } from './cluster-message.js';
import type { ClusterDropReason } from '../interfaces/cluster.interfaces.js';

export type OpenResult = { ok: true; message: ClusterMessage } | { ok: false; reason: ClusterDropReason };

/**
 * Seals and opens cluster messages. The wire form is `{"m":"<message JSON>","s":"<HMAC>"}`:
 * the HMAC-SHA256 is computed over the exact bytes of `m`, so verification never depends on
 * how a JSON parser re-serializes anything. Without a key (`insecure: true`) messages carry
 * no `s` and are accepted unsigned.
 *
 * The key lives in a KeyObject in a private field: `util.inspect` and `JSON.stringify` of
 * the signer, or of anything holding it, never show it.
 */
export class ClusterMessageSigner {
  readonly #key: KeyObject | null;

  constructor(key: string | null) {
    this.#key = key === null ? null : createSecretKey(Buffer.from(key, 'utf8'));
  }

  get signed(): boolean {
    return this.#key !== null;
  }

  seal(message: ClusterMessage): string {
    const m = JSON.stringify(message);
    return JSON.stringify(this.#key ? { m, s: this.#mac(m) } : { m });
  }

  /**
   * Verifies a wire payload and parses it. Order matters: the signature is checked before the
   * message is parsed, so nothing an unauthenticated sender wrote is interpreted.
   */
  open(wire: string | Buffer): OpenResult {
    if (wire.length > MAX_MESSAGE_BYTES) return { ok: false, reason: 'malformed' };
    let outer: unknown;
    try {
      outer = JSON.parse(typeof wire === 'string' ? wire : wire.toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (outer === null || typeof outer !== 'object' || typeof (outer as { m?: unknown }).m !== 'string') {
      return { ok: false, reason: 'malformed' };
    }
    const { m, s } = outer as { m: string; s?: unknown };
    if (this.#key) {
      if (s === undefined) return { ok: false, reason: 'unsigned' };
      if (typeof s !== 'string' || !this.#verify(m, s)) return { ok: false, reason: 'bad-signature' };
    }
    let message: unknown;
    try {
      message = JSON.parse(m);
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    return isClusterMessage(message) ? { ok: true, message } : { ok: false, reason: 'malformed' };
  }

  #mac(text: string): string {
    return createHmac('sha256', this.#key!).update(text, 'utf8').digest('base64url');
  }

  /** Constant-time comparison, so the time taken says nothing about how much of a forgery matched. */
  #verify(text: string, signature: string): boolean {
    const expected = Buffer.from(this.#mac(text), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  toJSON(): { signed: boolean } {
    return { signed: this.signed };
  }
}
