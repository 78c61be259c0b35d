import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, ServiceUnavailableException, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { ConnectionRegistry } from '../../module/connections.registry.js';
import { AdminEventBuffer, type BufferedEvent } from './admin-event-buffer.js';
import {
  CONNECTIONS_ADMIN_OPTIONS,
  DEFAULT_EVENT_BUFFER,
  DEFAULT_EVENT_BUFFER_BYTES,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_STREAM_BACKLOG,
  DEFAULT_MAX_STREAMS,
  SNAPSHOT_EVENTS,
} from './connections-admin.constants.js';
import type { ConnectionsAdminOptions } from './connections-admin-options.interface.js';

interface Client {
  readonly res: ServerResponse;
  close(): void;
}

/** `Last-Event-ID` as a number, or null when absent or not a plain non-negative integer. */
function lastEventIdOf(req: IncomingMessage): number | null {
  const header = req.headers['last-event-id'];
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header.trim())) return null;
  return Number(header.trim());
}

/**
 * The server-sent event streams of `GET /events`.
 *
 * - One subscription to `registry.events$` for all clients, from module init on: each event is
 *   serialized once into a frame with an `id:` and kept in a bounded buffer (`eventBuffer`
 *   events, at most `eventBufferBytes`), then written to every open stream.
 * - A client that sends `Last-Event-ID` gets exactly the events it missed, when the buffer still
 *   holds them all; otherwise (no id, a malformed one, one too old or from another process) it
 *   starts from a `snapshot` event: every `ConnectionInfo`, the recent events (`{ id, event }`)
 *   and whether a cluster is configured.
 * - Backpressure: a client that falls more than `maxStreamBacklog` bytes behind (a paused or
 *   slow reader) is disconnected, so it cannot grow the heap; it resumes with `Last-Event-ID`.
 * - At most `maxStreams` open streams (default 100): the next one gets a 503 with `Retry-After`.
 * - One heartbeat comment every `heartbeatInterval` to every client, so proxies keep them open.
 *
 * Streams are written on the raw Node response (Express' response is one; Fastify's reply
 * wraps one), because Nest's `@Sse()` cannot send comments. Open streams are ended when the
 * module is destroyed: the HTTP server waits for open connections on `app.close()`.
 */
@Injectable()
export class AdminEventStreams implements OnModuleInit, OnModuleDestroy {
  readonly #clients = new Set<Client>();
  readonly #buffer: AdminEventBuffer;
  readonly #maxStreams: number;
  readonly #maxBacklog: number;
  #subscription: Subscription | null = null;
  #heartbeat: NodeJS.Timeout | null = null;

  constructor(
    @Inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
    @Inject(CONNECTIONS_ADMIN_OPTIONS) private readonly options: ConnectionsAdminOptions,
  ) {
    this.#buffer = new AdminEventBuffer(options.eventBuffer ?? DEFAULT_EVENT_BUFFER, options.eventBufferBytes ?? DEFAULT_EVENT_BUFFER_BYTES);
    this.#maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.#maxBacklog = options.maxStreamBacklog ?? DEFAULT_MAX_STREAM_BACKLOG;
  }

  /** How many clients are streaming now. */
  get size(): number {
    return this.#clients.size;
  }

  onModuleInit(): void {
    this.#subscription = this.registry.events$.subscribe({
      next: (event) => this.#publish(this.#buffer.push(event)),
      complete: () => this.#closeAll(),
    });
  }

  onModuleDestroy(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = null;
    this.#closeAll();
  }

  open(request: unknown, response: unknown): void {
    const req = ((request as { raw?: IncomingMessage }).raw ?? request) as IncomingMessage;
    const reply = response as { raw?: ServerResponse; hijack?: () => void };
    const res = (reply.raw ?? response) as ServerResponse;
    if (this.#clients.size >= this.#maxStreams) {
      res.setHeader('Retry-After', '5');
      throw new ServiceUnavailableException(
        `Too many event streams: ${this.#maxStreams} are open (the maxStreams of ConnectionsAdminModule); retry later`,
      );
    }
    if (!this.#subscription) {
      // Before module init, or after destroy: nothing would ever be written.
      throw new ServiceUnavailableException('The event stream is not available (the application is starting or closing)');
    }
    reply.hijack?.(); // Fastify: we write the response ourselves

    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-store, no-transform',
      'X-Content-Type-Options': 'nosniff',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no', // nginx: do not buffer the stream
    });
    const client: Client = {
      res,
      close: () => {
        if (!this.#clients.delete(client)) return;
        if (this.#clients.size === 0 && this.#heartbeat) {
          clearInterval(this.#heartbeat);
          this.#heartbeat = null;
        }
        if (!res.writableEnded) res.end();
      },
    };
    this.#clients.add(client);
    req.once('close', client.close);
    res.once('close', client.close);
    res.on('error', client.close); // a broken pipe ends this stream, never the process

    // Written synchronously with the registration above: no event can fall between the
    // snapshot (or the replay) and the live frames.
    const lastId = lastEventIdOf(req);
    const missed = lastId === null ? null : this.#buffer.after(lastId);
    if (missed) {
      res.write(': resumed\nretry: 3000\n\n');
      for (const item of missed) res.write(item.frame);
    } else {
      res.write(': connected\nretry: 3000\n\n');
      res.write(this.#snapshotFrame());
    }
    this.#startHeartbeat();
  }

  /** `event: snapshot`, with the id of the newest event so a resume continues after it. */
  #snapshotFrame(): string {
    const events = this.#buffer
      .recent(SNAPSHOT_EVENTS)
      .map((item) => `{"id":${item.id},"event":${item.json}}`)
      .join(',');
    const connections = JSON.stringify(this.registry.list());
    const cluster = this.registry.cluster ? 'true' : 'false';
    return `id: ${this.#buffer.lastId}\nevent: snapshot\ndata: {"connections":${connections},"events":[${events}],"cluster":${cluster}}\n\n`;
  }

  /** One serialized frame to every client; a client too far behind is disconnected. */
  #publish(item: BufferedEvent): void {
    for (const client of this.#clients) {
      client.res.write(item.frame);
      if (client.res.writableLength > this.#maxBacklog) {
        client.close();
        client.res.destroy(); // what it had not read yet is dropped with the socket
      }
    }
  }

  #startHeartbeat(): void {
    if (this.#heartbeat) return;
    const interval = this.options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.#heartbeat = setInterval(() => {
      for (const client of this.#clients) client.res.write(': heartbeat\n\n');
    }, interval);
    this.#heartbeat.unref();
  }

  #closeAll(): void {
    // Each close() deletes itself from the set; deleting visited entries is safe while iterating.
    for (const client of this.#clients) client.close();
  }
}
