import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Black-holed: this connection never moves a byte again, even after `restore()` (a half-open socket). */
  dead: boolean;
}

/**
 * A TCP proxy of the tests' own, between a client and a shared server on 127.0.0.1, so a test
 * can cut, refuse, slow down or black-hole connections without touching the server.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #pairs = new Set<Pair>();
  #mode: 'forward' | 'refuse' | 'blackhole' = 'forward';
  #latencyMs = 0;
  /** Connections accepted so far (refused ones included). */
  accepted = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.#server = createServer((client) => this.#accept(client));
  }

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Connections currently open through the proxy. */
  get open(): number {
    return this.#pairs.size;
  }

  /** Destroys every open connection (both sides), as a network failure would. */
  cutAll(): void {
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  /** New connections are accepted and closed at once (a server that is down); open ones are cut. */
  refuse(): void {
    this.#mode = 'refuse';
    this.cutAll();
  }

  /**
   * Half-open sockets: open connections stop moving data for good, and new ones are accepted
   * but never answered, until `restore()`. Nothing is closed: only timeouts can tell.
   */
  blackhole(): void {
    this.#mode = 'blackhole';
    for (const pair of this.#pairs) pair.dead = true;
  }

  /** Back to forwarding. */
  restore(): void {
    this.#mode = 'forward';
    this.#latencyMs = 0;
  }

  /** Delays every chunk by this much in both directions. */
  latency(ms: number): void {
    this.#latencyMs = ms;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.accepted++;
    client.on('error', () => undefined);
    if (this.#mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    upstream.on('error', () => undefined);
    const pair: Pair = { client, upstream, dead: this.#mode === 'blackhole' };
    this.#pairs.add(pair);
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    upstream.connect(this.targetPort, this.targetHost);
    this.#pipe(pair, client, upstream);
    this.#pipe(pair, upstream, client);
  }

  #pipe(pair: Pair, from: Socket, to: Socket): void {
    // Chunks leave in arrival order, each no earlier than its own delay: a FIFO drained by one
    // timer, so a latency that drops (50 ms -> 0) never lets a later chunk overtake an earlier
    // one, which would corrupt the protocol stream.
    const queue: Array<{ chunk: Buffer; due: number }> = [];
    let timer: NodeJS.Timeout | null = null;
    const drain = () => {
      timer = null;
      const now = performance.now();
      while (queue.length && queue[0].due <= now) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length) timer = setTimeout(drain, Math.max(1, Math.ceil(queue[0].due - now)));
    };
    from.on('data', (chunk: Buffer) => {
      if (pair.dead) return; // swallowed: the peer waits forever
      queue.push({ chunk, due: performance.now() + this.#latencyMs });
      if (timer === null) drain();
    });
  }
}
