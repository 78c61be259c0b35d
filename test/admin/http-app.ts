import { afterEach } from 'vitest';
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { DynamicModule, INestApplication, Provider, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ConnectionRegistry, ConnectionsModule, type ConnectionsForRootOptions } from 'nestjs-connections';
import { ConnectionsAdminModule, type ConnectionsAdminOptions } from 'nestjs-connections/admin';

export const TOKEN = 'test-admin-token-0123456789';

export interface HttpApp {
  app: INestApplication;
  registry: ConnectionRegistry;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Fetch `path` (absolute, e.g. `/admin/connections`) with the admin token unless `auth` is given. */
  request(path: string, init?: RequestInit & { auth?: string | null }): Promise<Response>;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) with ConnectionsModule and, unless `admin` is
 * null, ConnectionsAdminModule.forRoot(admin) (default: the test token).
 */
export async function startHttpApp(
  connections: ConnectionsForRootOptions,
  admin: ConnectionsAdminOptions | null = { token: TOKEN },
  extra: {
    imports?: Array<Type | DynamicModule>;
    providers?: Provider[];
    controllers?: Type[];
    /** Destroy open sockets on close (default true): Node's fetch may leave a spare idle socket that delays close by seconds. */
    forceCloseConnections?: boolean;
  } = {},
): Promise<HttpApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConnectionsModule.forRoot({ secrets: false, ...connections }),
      ...(admin ? [ConnectionsAdminModule.forRoot(admin)] : []),
      ...(extra.imports ?? []),
    ],
    providers: extra.providers ?? [],
    controllers: extra.controllers ?? [],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false, forceCloseConnections: extra.forceCloseConnections ?? true });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    app,
    registry: app.get(ConnectionRegistry),
    origin,
    request(path, init = {}) {
      const { auth = `Bearer ${TOKEN}`, headers, ...rest } = init;
      const all = new Headers(headers);
      if (auth !== null) all.set('authorization', auth);
      return fetch(origin + path, { ...rest, headers: all });
    },
  };
}

/** One parsed server-sent event block. */
export interface SseBlock {
  id: string | undefined;
  event: string | undefined;
  data: string;
  comments: string[];
}

export function parseSseBlock(block: string): SseBlock {
  const out: SseBlock = { id: undefined, event: undefined, data: '', comments: [] };
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) out.comments.push(line.slice(1).trim());
    else if (line.startsWith('id: ')) out.id = line.slice(4);
    else if (line.startsWith('event: ')) out.event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  out.data = data.join('\n');
  return out;
}

/**
 * Reads a server-sent event stream: `nextData()` resolves with the next unnamed event's JSON
 * (a `ConnectionEvent`), `nextNamed(name)` with the next `event: <name>` one's, `nextComment()`
 * waits for a comment line.
 */
export function sseReader(response: Response): {
  nextData(predicate?: (data: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  nextNamed(event: string): Promise<{ id: string | undefined; data: Record<string, unknown> }>;
  nextBlock(): Promise<SseBlock>;
  nextComment(text: string): Promise<void>;
  /** Every block received so far, raw. */
  received: string[];
  /** The `id:` of every unnamed event returned by nextData so far. */
  ids: string[];
  cancel(): Promise<void>;
} {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const received: string[] = [];
  const ids: string[] = [];
  let buffer = '';
  let cursor = 0;
  async function nextRaw(): Promise<string> {
    for (;;) {
      if (cursor < received.length) return received[cursor++];
      const chunk = await reader.read();
      if (chunk.done) throw new Error('stream ended');
      buffer += decoder.decode(chunk.value, { stream: true });
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop()!;
      received.push(...blocks);
    }
  }
  const nextBlock = async () => parseSseBlock(await nextRaw());
  return {
    received,
    ids,
    nextBlock,
    async nextData(predicate = () => true) {
      for (;;) {
        const block = await nextBlock();
        if (!block.data || block.event !== undefined) continue;
        const parsed = JSON.parse(block.data) as Record<string, unknown>;
        if (block.id !== undefined) ids.push(block.id);
        if (predicate(parsed)) return parsed;
      }
    },
    async nextNamed(event) {
      for (;;) {
        const block = await nextBlock();
        if (block.event === event) return { id: block.id, data: JSON.parse(block.data) as Record<string, unknown> };
      }
    },
    async nextComment(text) {
      for (;;) {
        const block = await nextBlock();
        if (block.comments.includes(text)) return;
      }
    },
    cancel: () => reader.cancel(),
  };
}

/** A TCP port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `startHttpApp` for a test file: the app a test started is closed after that test. */
export function httpAppPerTest(): (...args: Parameters<typeof startHttpApp>) => Promise<HttpApp> {
  let current: HttpApp | undefined;
  afterEach(async () => {
    await current?.app.close();
    current = undefined;
  });
  return async (...args) => {
    const started = await startHttpApp(...args);
    // A test may close its app itself (shutdown tests): closing it again after the test is a no-op.
    const close = started.app.close.bind(started.app);
    let closing: Promise<void> | undefined;
    started.app.close = () => (closing ??= close());
    return (current = started);
  };
}
