// A PostgreSQL cluster of the bench's own, with scram-sha-256 on 127.0.0.1, so that a password
// is really checked (the machine's shared server trusts local logins): initdb and pg_ctl as the
// `postgres` user, in a temporary folder, on a spare port; `stop()` ends it by its pid.
// (test/support/private-postgres.ts is the tests' twin of this file.)
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

function binDir() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error(`no PostgreSQL server binaries under ${root}/*/bin`);
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

async function sparePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const idOf = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());

/** `{ port, socketDir, admin(), stop() }`. */
export async function startPrivatePostgres() {
  const bin = binDir();
  const uid = idOf('-u');
  const gid = idOf('-g');
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-connections-bench-pg-'));
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const asPostgres = { uid, gid, cwd: dir, stdio: 'pipe', env: { ...process.env, HOME: dir, LC_ALL: 'C' } };
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--no-sync', '--auth-local=trust', '--auth-host=scram-sha-256'], asPostgres);
  const port = await sparePort();
  appendFileSync(
    join(data, 'postgresql.conf'),
    `\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\npassword_encryption = 'scram-sha-256'\n` +
      'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 100\n',
  );
  writeFileSync(join(data, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n');
  execFileSync(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start'], asPostgres);
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  return {
    port,
    socketDir: dir,
    async admin() {
      const client = new Client({ host: dir, port, user: 'postgres', database: 'postgres' });
      await client.connect();
      return client;
    },
    async stop() {
      if (alive()) process.kill(pid, 'SIGINT');
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && alive()) await new Promise((resolve) => setTimeout(resolve, 50));
      if (alive()) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
