import { connect as connectTcp, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { BaseConnection, Connection } from 'nestjs-connections';
import { AdminEventStreams } from '../../lib/ops/admin/admin-event-streams.js';
import { AutoConnection, ControlledBase } from '../support/controlled-connection.js';
import { until } from '../support/until.js';
import { httpAppPerTest, parseSseBlock, sseReader, TOKEN, type HttpApp } from './http-app.js';

const BASE = '/admin/connections';
const ROUNDS = Number(process.env.ROUNDS ?? 2_000);
const start = httpAppPerTest();

/** Every disposal fails with a long (masked) message: each reset streams ~16 KB. */
@Connection({ name: 'noisy' })
class NoisyConnection extends ControlledBase {
  override auto = true;
  protected override async _disconnect(): Promise<void> {
    throw new Error(`close failed: ${'lorem ipsum '.repeat(1_400)}`);
  }
}

@Connection({ name: 'plain' })
class PlainConnection extends BaseConnection<object> {
  protected override _connect(): object {
    return {};
  }
}

/** A `GET /events` over a raw socket that never reads: a paused reader. */
function pausedReader(http: HttpApp): Promise<Socket> {
  const { port } = new URL(http.origin);
  return new Promise((resolve, reject) => {
    const socket = connectTcp(Number(port), '127.0.0.1', () => {
      socket.write(`GET ${BASE}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
      socket.once('data', () => {
        socket.pause(); // headers arrived; from now on nothing is read
        resolve(socket);
      });
    });
    socket.on('error', reject);
  });
}

/** `global.gc`, enabled at run time: heap figures without garbage in them. */
function gc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('SSE ids and Last-Event-ID', () => {
  it('SE1 every event carries an id:, one more than the previous', async () => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const events = sseReader(await request(`${BASE}/events`));
    const snapshot = await events.nextNamed('snapshot');
    const conn = app.get(AutoConnection);
    await conn.resolve();
    await conn.reset();
    for (let i = 0; i < 3; i++) await events.nextData();
    const ids = events.ids.map(Number);
    expect(ids).toHaveLength(3);
    expect(ids[0]).toBe(Number(snapshot.id) + 1);
    expect(ids).toEqual([ids[0], ids[0] + 1, ids[0] + 2]);
    await events.cancel();
  });

  it('SE2 a new stream starts from a snapshot: every ConnectionInfo and the recent events, then live events', async () => {
    const { request, app } = await start({ connections: [AutoConnection, PlainConnection] });
    const conn = app.get(AutoConnection);
    await conn.resolve();
    await conn.reset();
    const events = sseReader(await request(`${BASE}/events`));
    const snapshot = await events.nextNamed('snapshot');
    const data = snapshot.data as { connections: Array<{ name: string; state: string }>; events: Array<{ id: number; event: { type: string } }> };
    expect(data.connections.map((info) => [info.name, info.state])).toEqual([
      ['auto', 'idle'],
      ['plain', 'idle'],
    ]);
    expect(data.events.map((item) => item.event.type)).toEqual(['connecting', 'connected', 'reset', 'disposed']);
    expect(Number(snapshot.id)).toBe(data.events.at(-1)!.id);
    await conn.resolve();
    expect(await events.nextData()).toMatchObject({ name: 'auto', type: 'connecting', generation: 2 });
    await events.cancel();
  });

  it('SE3 a resume with Last-Event-ID gets exactly the missed events, and no snapshot', async () => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const conn = app.get(AutoConnection);
    const first = sseReader(await request(`${BASE}/events`));
    const { id: startId } = await first.nextNamed('snapshot');
    await conn.resolve(); // connecting, connected
    await first.nextData((event) => event.type === 'connected');
    const lastSeen = first.ids.at(-1)!;
    await first.cancel();

    await conn.reset(); // reset, disposed: missed
    await until(() => conn.disposed.length === 1, 'the disposal');
    await conn.resolve(); // connecting, connected: missed
    await until(() => conn.state === 'connected', 'connected');
    const resumed = sseReader(await request(`${BASE}/events`, { headers: { 'last-event-id': lastSeen } }));
    await resumed.nextComment('resumed');
    const missed = [];
    for (let i = 0; i < 4; i++) missed.push(await resumed.nextData());
    expect(missed.map((event) => `${event.type}:${event.generation}`)).toEqual(['reset:1', 'disposed:1', 'connecting:2', 'connected:2']);
    expect(resumed.ids.map(Number)).toEqual([1, 2, 3, 4].map((n) => Number(lastSeen) + n));
    expect(Number(lastSeen)).toBe(Number(startId) + 2);
    await conn.reset();
    expect(await resumed.nextData()).toMatchObject({ type: 'reset', generation: 2 }); // then live
    expect(resumed.received.some((block) => parseSseBlock(block).event === 'snapshot')).toBe(false);
    await resumed.cancel();
  });

  it.each([
    ['not a number', 'abc'],
    ['negative', '-1'],
    ['a fraction', '1.5'],
    ['from another process (newer than any)', '999999'],
  ])('SE4 a Last-Event-ID %s streams from a fresh snapshot', async (_, lastEventId) => {
    const { request, app } = await start({ connections: [AutoConnection] });
    await app.get(AutoConnection).resolve();
    const events = sseReader(await request(`${BASE}/events`, { headers: { 'last-event-id': lastEventId } }));
    const snapshot = await events.nextNamed('snapshot');
    expect((snapshot.data as { connections: Array<{ state: string }> }).connections[0].state).toBe('connected');
    await app.get(AutoConnection).reset();
    expect(await events.nextData()).toMatchObject({ type: 'reset' });
    await events.cancel();
  });

  it('SE4 a Last-Event-ID older than the buffer streams from a fresh snapshot', async () => {
    const { request, app } = await start({ connections: [AutoConnection] }, { token: TOKEN, eventBuffer: 4 });
    const conn = app.get(AutoConnection);
    for (let i = 0; i < 3; i++) {
      await conn.resolve();
      await conn.reset();
    }
    await until(() => app.get(AutoConnection).disposed.length === 3, 'disposals');
    // 12 events so far; the buffer holds 9..12: an id of 7 missed event 8.
    const old = sseReader(await request(`${BASE}/events`, { headers: { 'last-event-id': '7' } }));
    const snapshot = await old.nextNamed('snapshot');
    expect(snapshot.id).toBe('12');
    expect((snapshot.data as { events: unknown[] }).events).toHaveLength(4);
    await old.cancel();
    const recent = sseReader(await request(`${BASE}/events`, { headers: { 'last-event-id': '8' } }));
    await recent.nextComment('resumed');
    for (let i = 0; i < 4; i++) await recent.nextData();
    expect(recent.ids).toEqual(['9', '10', '11', '12']);
    await recent.cancel();
  });
});

describe('SSE limits', () => {
  it('SE5 the 101st stream gets a 503 with Retry-After (maxStreams defaults to 100); a freed slot is reused', async () => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const streams = app.get(AdminEventStreams);
    const controllers = Array.from({ length: 100 }, () => new AbortController());
    const open = await Promise.all(controllers.map((controller) => request(`${BASE}/events`, { signal: controller.signal })));
    expect(open.map((response) => response.status)).toEqual(Array(100).fill(200));
    await until(() => streams.size === 100, '100 streams');

    const refused = await request(`${BASE}/events`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ statusCode: 503, message: expect.stringContaining('maxStreams') });
    expect((await request(BASE)).status).toBe(200); // the rest of the API is unaffected

    controllers[0].abort();
    await until(() => streams.size === 99, 'a freed slot');
    const again = await request(`${BASE}/events`);
    expect(again.status).toBe(200);
    await again.body?.cancel();
    controllers.forEach((controller) => controller.abort());
  });

  it('SE5 maxStreams is configurable', async () => {
    const { request } = await start({ connections: [AutoConnection] }, { token: TOKEN, maxStreams: 2 });
    const a = await request(`${BASE}/events`);
    const b = await request(`${BASE}/events`);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await request(`${BASE}/events`)).status).toBe(503);
    await a.body?.cancel();
    await b.body?.cancel();
  });

  it('SE6 a paused reader + 2,000 resets: the reader is disconnected and the heap grows by less than 16 MB', async () => {
    const collect = gc();
    const http = await start({ connections: [NoisyConnection] });
    const { app } = http;
    const streams = app.get(AdminEventStreams);
    const conn = app.get(NoisyConnection);
    const paused = await pausedReader(http);
    let pausedClosed = false;
    paused.once('close', () => (pausedClosed = true));
    // A reader that keeps up: a raw socket that reads as fast as events come and keeps nothing
    // (no client-side buffering in this process's heap).
    const wanted = `"type":"connected","generation":${ROUNDS + 1}`;
    const live = connectTcp(Number(new URL(http.origin).port), '127.0.0.1');
    const lastSeen = new Promise<boolean>((resolve) => {
      let tail = '';
      live.setEncoding('utf8');
      live.on('data', (chunk: string) => {
        const text = tail + chunk;
        if (text.includes(wanted)) resolve(true);
        tail = text.slice(-200);
      });
      live.once('close', () => resolve(false));
    });
    await new Promise<void>((resolve) => live.once('connect', () => resolve()));
    live.write(`GET ${BASE}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    await until(() => streams.size === 2, 'two streams');

    await conn.resolve();
    collect();
    const before = process.memoryUsage();
    for (let i = 0; i < ROUNDS; i++) {
      await conn.reset({ strategy: 'swap' });
      await new Promise((resolve) => setImmediate(resolve)); // resets arrive over I/O, not in one tick
    }
    await until(() => conn.info().generation === ROUNDS + 1, 'every swap');
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    const after = process.memoryUsage();
    const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    expect(growth, `heap grew ${(growth / 1e6).toFixed(1)} MB`).toBeLessThan(16e6);

    await until(() => streams.size === 1, 'the paused reader disconnected');
    paused.destroy();
    expect(pausedClosed || paused.destroyed).toBe(true);
    // The reading client got everything, in order.
    expect(await lastSeen).toBe(true);
    expect(streams.size).toBe(1);
    live.destroy();
  }, 60_000);

  it('SE7 each event is serialized once, whatever the number of streams', async () => {
    const { request, app } = await start({ connections: [AutoConnection] });
    const readers = await Promise.all(Array.from({ length: 5 }, async () => sseReader(await request(`${BASE}/events`))));
    await Promise.all(readers.map((reader) => reader.nextNamed('snapshot')));
    const conn = app.get(AutoConnection);
    await conn.resolve();
    await Promise.all(readers.map((reader) => reader.nextData((event) => event.type === 'connected')));

    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      await conn.reset();
      await Promise.all(readers.map((reader) => reader.nextData((event) => event.type === 'disposed')));
      const ofEvents = stringify.mock.calls.filter(([value]) => (value as { name?: unknown })?.name === 'auto');
      expect(ofEvents).toHaveLength(2); // reset and disposed, once each for 5 streams
    } finally {
      stringify.mockRestore();
    }
    await Promise.all(readers.map((reader) => reader.cancel()));
  });
});
