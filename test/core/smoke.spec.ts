import { describe, expect, it } from 'vitest';
import { bootApp } from '../support/app.js';
import { ControlledConnection } from '../support/controlled-connection.js';

describe('smoke', () => {
  it('boots and connects once', async () => {
    const { app, registry } = await bootApp({ connections: [ControlledConnection] });
    const conn = app.get(ControlledConnection);
    expect(conn.name).toBe('controlled');
    expect(registry.names()).toEqual(['controlled']);
    const p = Promise.all(Array.from({ length: 100 }, () => conn.resolve()));
    expect(conn.connects.length).toBe(0 + conn.connects.length);
    await new Promise((r) => setImmediate(r));
    expect(conn.connects.length).toBe(1);
    const c = conn.succeed(0);
    const all = await p;
    expect(all.every((x) => x === c)).toBe(true);
    await app.close();
    expect(c.disposed).toBe(1);
  });
});
