import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectError, type ConnectionEvent } from 'nestjs-connections';
import type { SqlConnection } from 'nestjs-connections/sql';
import { bootApp } from '../support/app.js';
import { canRunPrivatePostgres, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { until } from '../support/until.js';
import { captureLogs } from '../resilience/support/rotation.js';
import { HandshakeGate } from './support/handshake-gate.js';

const hex = (n = 6) => randomBytes(n).toString('hex');
const ROTATE_EVERY_MS = 2_000;
const ROTATIONS = 15; // 30 s
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A private cluster needs PostgreSQL's binaries; missing, the suite is skipped visibly, or fails under REQUIRE_SERVICES=1. */
const suite = canRunPrivatePostgres() || process.env.REQUIRE_SERVICES === '1' ? describe : describe.skip;
if (suite === describe.skip) console.warn('[skipped] pg password function: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');

suite('PW pg password function, on a private PostgreSQL cluster with scram-sha-256', () => {
  let server: PrivatePostgres;
  let admin: Client;
  const role = `creds_pw_${hex()}`;
  const first = `p0-${hex()}`;
  let app: INestApplicationContext | undefined;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    admin = await server.admin();
    await admin.query(`create role ${role} login password '${first}'`);
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });

  const url = () => `postgresql://${role}@127.0.0.1:${server.port}/postgres?application_name=creds-pw`;
  async function boot(options: Record<string, unknown>) {
    const booted = await bootApp({ connections: [{ name: 'pw', type: 'sql', options: { url: url(), ...options } }] });
    app = booted.app;
    return booted.registry.get<SqlConnection>('pw');
  }
  async function sessions(): Promise<number> {
    const { rows } = await admin.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where usename = $1', [role]);
    return rows[0].n;
  }
  async function setPassword(password: string): Promise<void> {
    await admin.query(`alter role ${role} password '${password}'`);
  }

  it('PW0 the private cluster checks passwords: a wrong one is refused (28P01), the right one accepted, stored as SCRAM', async () => {
    const attempt = (password: string) => {
      const client = new Client({ host: '127.0.0.1', port: server.port, user: role, password, database: 'postgres' });
      return client.connect().then(
        () => client.end().then(() => 'ok'),
        (err: { code?: string }) => err.code,
      );
    };
    expect(await attempt(`wrong-${hex()}`)).toBe('28P01');
    expect(await attempt(first)).toBe('ok');
    const { rows } = await admin.query<{ scram: boolean }>(`select rolpassword like 'SCRAM-SHA-256$%' as scram from pg_authid where rolname = $1`, [role]);
    expect(rows[0].scram).toBe(true);
  });

  it('PW1 SqlConnection hands pg the function itself: every new physical connection calls it and gets the current value', async () => {
    let password = first;
    let calls = 0;
    const conn = await boot({
      password: async () => {
        calls++;
        return password;
      },
      pool: { min: 0, max: 3, idleTimeoutMillis: 50, reapIntervalMillis: 20 },
    });
    await conn.query('select 1');
    expect(calls).toBe(1);
    // Three at once: the pool opens more physical connections, each asking for the password.
    await Promise.all([1, 2, 3].map(() => conn.query('select pg_sleep(0.05)')));
    expect(calls).toBe(3);
    // A new password on the server and in the function; once the idle connections are closed,
    // the same pool's next connection authenticates with it.
    const next = `p1-${hex()}`;
    await setPassword(next);
    password = next;
    const open = () => conn.use((knex) => (knex.client as { pool: { numFree(): number; numUsed(): number } }).pool.numFree());
    await until(async () => (await open()) === 0, 'the idle connections to close', 5_000);
    expect(await conn.query<{ u: string }>('select current_user as u')).toEqual([{ u: role }]);
    expect(calls).toBe(4);
    expect(conn.generation).toBe(1); // no reconnect of the SqlConnection was needed
    await app!.close();
    app = undefined;
    await setPassword(first);
  });

  it('PW2 a password function that throws: a ConnectError naming the connection and password, masked; its client socket is closed', async () => {
    let fail = false;
    const conn = await boot({
      password: () => {
        if (fail) throw new Error(`vault refused the lease of ${first}`);
        return first;
      },
    });
    await conn.query('select 1'); // `first` was returned once: it is now a secret of this connection
    await conn.reset();
    fail = true;
    const logs = captureLogs();
    try {
      const err = (await conn.resolve().catch((e: unknown) => e)) as ConnectError;
      expect(err).toBeInstanceOf(ConnectError);
      expect(err.key).toBe('password');
      expect(err.message).toContain('Connection "pw" failed to connect: key "password" (a function option) threw: vault refused the lease of ***');
      expect([err.message, JSON.stringify(conn.info()), ...logs.lines].join('\n')).not.toContain(first);
    } finally {
      logs.restore();
    }
    await until(async () => (await sessions()) === 0, 'no session of the role', 5_000);
  });

  it('PW2 a password function that returns a non-string: a ConnectError naming password, never the value', async () => {
    const conn = await boot({ password: async () => 4242 });
    const err = (await conn.resolve().catch((e: unknown) => e)) as ConnectError;
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.key).toBe('password');
    expect(err.message).toContain('key "password" must be a string, but its function returned a number');
    expect(err.message).not.toContain('4242');
  });

  it(
    `PW3 the role's password changes every ${ROTATE_EVERY_MS} ms for ${(ROTATE_EVERY_MS * ROTATIONS) / 1000} s under load: 0 failed requests, every physical connection authenticated with the password current when it opened, no session left`,
    async () => {
      const gate = new HandshakeGate();
      const passwords = [first];
      const opened: Array<{ used: string; current: string }> = [];
      const conn = await boot({
        password: () => passwords[gate.version],
        // Connections come and go under the load: idle ones are closed after 100 ms.
        pool: {
          min: 0,
          max: 4,
          idleTimeoutMillis: 100,
          reapIntervalMillis: 50,
          afterCreate: (client: { password: string; connection: { stream: object } }, done: (err: Error | null, c: unknown) => void) => {
            const version = gate.authenticated(client);
            opened.push({ used: client.password, current: passwords[version] });
            done(null, client);
          },
        },
        connection: { stream: gate.stream },
      });
      const events: ConnectionEvent[] = [];
      conn.events$.subscribe((e) => events.push(e));
      await conn.query('select 1');

      let running = true;
      const results = { ok: 0, failed: [] as string[] };
      const worker = async () => {
        while (running) {
          try {
            const [row] = await conn.query<{ u: string }>('select current_user as u');
            if (row.u !== role) throw new Error(`unexpected user ${row.u}`);
            results.ok++;
          } catch (err) {
            results.failed.push((err as Error).message);
          }
          await sleep(Math.random() * 250); // bursts and pauses: the pool shrinks and grows
        }
      };
      const workers = Array.from({ length: 6 }, worker);
      const started = Date.now();
      for (let i = 1; i <= ROTATIONS; i++) {
        await sleep(Math.max(0, started + i * ROTATE_EVERY_MS - Date.now()));
        const next = `p${i}-${hex()}`;
        await gate.rotate(async () => {
          await setPassword(next);
          passwords.push(next);
          gate.version = passwords.length - 1;
        });
      }
      running = false;
      await Promise.all(workers);

      const versionsUsed = new Set(opened.map((o) => o.used));
      console.log(
        `[pg password rotation] requests ok=${results.ok} failed=${results.failed.length}; physical connections=${opened.length}, ` +
          `passwords used=${versionsUsed.size} of ${passwords.length}`,
      );
      expect(results.failed).toEqual([]);
      expect(results.ok).toBeGreaterThan(200);
      expect(opened.length).toBeGreaterThan(ROTATIONS);
      expect(opened.filter((o) => o.used !== o.current)).toEqual([]);
      expect(versionsUsed.size).toBeGreaterThan(ROTATIONS / 2); // fresh values, not the first one reused
      expect(conn.generation).toBe(1); // nothing was reset to get there
      expect(events.filter((e) => e.type === 'connect-failed' || e.type === 'reset')).toEqual([]);

      // The rotation was real: the first password no longer opens a session.
      const stale = new Client({ host: '127.0.0.1', port: server.port, user: role, password: first, database: 'postgres' });
      expect(await stale.connect().then(() => stale.end().then(() => 'ok'), (e: { code?: string }) => e.code)).toBe('28P01');

      await app!.close();
      app = undefined;
      await until(async () => (await sessions()) === 0, 'every session of the role to end', 5_000);
      await setPassword(first);
    },
    60_000,
  );
});
