import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/until.js';

/** The fault suites trust the proxy: it must never reorder bytes, whatever its latency does. */
describe('test TCP proxy', () => {
  let server: Server | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  });

  it('keeps byte order when the latency drops while chunks are delayed', async () => {
    let received = '';
    server = createServer((socket) => socket.on('data', (chunk) => (received += chunk.toString())));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    proxy = await TcpProxy.start((server.address() as AddressInfo).port);
    const client = connect(proxy.port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    proxy.latency(50);
    client.write('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    proxy.restore();
    client.write('b');
    await until(() => received.length === 2, 'both chunks', 2_000);
    expect(received).toBe('ab');
    client.destroy();
  });
});
