import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * A PostgreSQL cluster of the test's own, for what the shared server cannot show: it trusts
 * local logins, so a password is never checked there. This one runs as the `postgres` user in
 * a temporary folder, on a spare port of 127.0.0.1, with `scram-sha-256` for TCP logins (local
 * socket logins trusted, for the test's admin client). `stop()` ends it by its pid and removes
 * the folder.
 */
export interface PrivatePostgres {
  host: '127.0.0.1';
  port: number;
  /** A superuser client over the Unix socket (trusted). */
  admin(): Promise<Client>;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error(`no PostgreSQL server binaries under ${root}/*/bin`);
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

async function sparePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const idOf = (flag: '-u' | '-g') => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());

/** Whether this machine can run one: PostgreSQL's binaries and a `postgres` user. */
export function canRunPrivatePostgres(): boolean {
  try {
    binDir();
    idOf('-u');
    return true;
  } catch {
    return false;
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const uid = idOf('-u');
  const gid = idOf('-g');
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-connections-pg-'));
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const asPostgres = { uid, gid, cwd: dir, stdio: 'pipe' as const, env: { ...process.env, HOME: dir, LC_ALL: 'C' } };
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--no-sync', '--auth-local=trust', '--auth-host=scram-sha-256'], asPostgres);
  const port = await sparePort();
  appendFileSync(
    join(data, 'postgresql.conf'),
    [
      '',
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      "password_encryption = 'scram-sha-256'",
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 60',
      'shared_buffers = 16MB',
      '',
    ].join('\n'),
  );
  writeFileSync(join(data, 'pg_hba.conf'), ['local all all trust', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'));
  execFileSync(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start'], asPostgres);
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    host: '127.0.0.1',
    port,
    async admin() {
      const client = new Client({ host: dir, port, user: 'postgres', database: 'postgres' });
      await client.connect();
      return client;
    },
    async stop() {
      try {
        process.kill(pid, 'SIGINT'); // fast shutdown: sessions are ended, the postmaster exits
      } catch {
        // already gone
      }
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
