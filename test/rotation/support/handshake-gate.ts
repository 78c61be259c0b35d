import { Socket } from 'node:net';
import { until } from '../../support/until.js';

interface Handshake {
  /** The password version current when the socket started connecting. */
  version: number;
  done: boolean;
}

/**
 * Test instrumentation for an `ALTER ROLE ... PASSWORD` rotation, which has a race no client
 * can close: PostgreSQL reads the role's SCRAM verifier before it asks the client for the
 * password, so a handshake that spans the ALTER fails whatever the client sends. (Real
 * rotation schemes overlap: IAM tokens stay valid 15 minutes, Vault issues a new role.) The
 * gate makes the test's rotation atomic for the pool: it holds new sockets at their TCP
 * connect (pg's `stream` option) and waits for the handshakes under way to finish before the
 * ALTER; then it lets the held ones connect.
 *
 * It also records, for every physical connection, the password version current when its
 * socket opened, so the test can check what pg authenticated with.
 */
export class HandshakeGate {
  version = 0;
  #held: Promise<void> | null = null;
  #handshaking = 0;
  readonly #bySocket = new WeakMap<object, Handshake>();

  /** pg's `stream` option (a function: called for each new physical connection). */
  readonly stream = (): Socket => {
    const socket = new Socket();
    const connect = socket.connect.bind(socket) as (...args: unknown[]) => Socket;
    const handshake: Handshake = { version: -1, done: false };
    this.#bySocket.set(socket, handshake);
    socket.connect = ((...args: unknown[]) => {
      const go = () => {
        handshake.version = this.version;
        this.#handshaking++;
        connect(...args);
      };
      if (this.#held) void this.#held.then(go);
      else go();
      return socket;
    }) as Socket['connect'];
    socket.once('close', () => this.#finish(handshake));
    return socket;
  };

  /** knex's `pool.afterCreate`: the connection is authenticated. Returns the version its socket opened under. */
  authenticated(client: { connection: { stream: object } }): number {
    const handshake = this.#bySocket.get(client.connection.stream);
    if (!handshake) throw new Error('a physical connection that did not open through the gate');
    this.#finish(handshake);
    return handshake.version;
  }

  /** Runs `change` (the ALTER ROLE, then `version++`) while no handshake is under way. */
  async rotate(change: () => Promise<void>): Promise<void> {
    let release!: () => void;
    this.#held = new Promise<void>((resolve) => (release = resolve));
    try {
      await until(() => this.#handshaking === 0, 'handshakes under way to finish', 5_000);
      await change();
    } finally {
      this.#held = null;
      release();
    }
  }

  #finish(handshake: Handshake): void {
    if (handshake.done || handshake.version < 0) return;
    handshake.done = true;
    this.#handshaking--;
  }
}
