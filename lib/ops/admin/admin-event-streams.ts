import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { ConnectionRegistry } from '../../module/connections.registry.js';
import { CONNECTIONS_ADMIN_OPTIONS, DEFAULT_HEARTBEAT_INTERVAL_MS } from './connections-admin.constants.js';
import type { ConnectionsAdminOptions } from './connections-admin-options.interface.js';

/**
 * The server-sent event streams of `GET /events`: one subscription to `registry.events$`
 * per client, a comment line every `heartbeatInterval` so proxies keep the connection open,
 * and clean-up when the client goes away.
 *
 * Streams are written on the raw Node response (Express' response is one; Fastify's reply
 * wraps one), because Nest's `@Sse()` cannot send heartbeat comments. Open streams are ended
 * when the module is destroyed: the HTTP server waits for open connections on `app.close()`.
 */
@Injectable()
export class AdminEventStreams implements OnModuleDestroy {
  readonly #open = new Set<() => void>();

  constructor(
    @Inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
    @Inject(CONNECTIONS_ADMIN_OPTIONS) private readonly options: ConnectionsAdminOptions,
  ) {}

  /** How many clients are streaming now. */
  get size(): number {
    return this.#open.size;
  }

  open(request: unknown, response: unknown): void {
    const req = ((request as { raw?: IncomingMessage }).raw ?? request) as IncomingMessage;
    const reply = response as { raw?: ServerResponse; hijack?: () => void };
    reply.hijack?.(); // Fastify: we write the response ourselves
    const res = (reply.raw ?? response) as ServerResponse;

    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-store, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no', // nginx: do not buffer the stream
    });
    // The subscription below exists before this first write reaches the client: a client that
    // loads a snapshot once it sees the stream open misses no event.
    let subscription: Subscription | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    const close = (): void => {
      if (!this.#open.delete(close)) return;
      clearInterval(heartbeat);
      subscription?.unsubscribe();
      if (!res.writableEnded) res.end();
    };
    this.#open.add(close);
    req.once('close', close);
    res.once('close', close);
    res.on('error', close); // a broken pipe ends this stream, never the process

    subscription = this.registry.events$.subscribe({
      next: (event) => void res.write(`data: ${JSON.stringify(event)}\n\n`),
      complete: close,
    });
    if (!this.#open.has(close)) return; // the registry had already completed: the stream is ended
    res.write(': connected\nretry: 3000\n\n');
    const interval = this.options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    heartbeat = setInterval(() => res.write(': heartbeat\n\n'), interval);
    heartbeat.unref();
  }

  onModuleDestroy(): void {
    // Each close() deletes itself from the set; deleting visited entries is safe while iterating.
    for (const close of this.#open) close();
  }
}
