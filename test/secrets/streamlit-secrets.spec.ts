import { inspect } from 'node:util';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Connection, ConnectionConfigError, InjectConnection, type ConnectionsForRootOptions } from 'nestjs-connections';
import { SqlConnection } from 'nestjs-connections/sql';
import { RedisConnection } from 'nestjs-connections/redis';
import { bootApp } from '../support/app.js';
import { ControlledBase } from '../support/controlled-connection.js';
import { describeWithServices } from '../support/services.js';
import { tempDir } from '../support/temp-files.js';
import { isolatedDirs } from './support/work-dir.js';

@Connection({ name: 'db', options: { url: 'code', fromCode: true } })
class Db extends ControlledBase {
  override auto = true;
}

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function boot(options: ConnectionsForRootOptions, providers: Parameters<typeof bootApp>[1] = {}) {
  const booted = await bootApp(options, providers);
  apps.push(booted.app);
  return booted;
}

const PG_URL = 'postgresql://postgres@127.0.0.1:5432/test';

describe('ST: a Streamlit app\'s secrets files work unchanged', () => {
  it('ST1 default files: ~/.streamlit/secrets.toml, then .streamlit/secrets.toml, then secrets.toml, later winning key by key', async () => {
    const dirs = isolatedDirs();
    dirs.write('~/.streamlit/secrets.toml', `[connections.db]\nurl = "global"\na = "global"\nb = "global"\n`);
    dirs.write('.streamlit/secrets.toml', `[connections.db]\nurl = "project"\nb = "project"\n`);
    dirs.write('secrets.toml', `[connections.db]\nurl = "local"\n`);
    const { registry } = await boot({ connections: [Db], secrets: { env: {} } });
    const db = registry.get<Db>('db');
    expect((await db.resolve()).options).toEqual({ url: 'local', a: 'global', b: 'project', fromCode: true });
    expect(db.info().source).toBe(
      `${join('~', '.streamlit', 'secrets.toml')}, ${join('.streamlit', 'secrets.toml')}, secrets.toml [connections.db]`,
    );
  });

  it('ST2 each default file is optional: only the global one (test_only_one_secrets_file_fine), or none at all', async () => {
    const dirs = isolatedDirs();
    dirs.write('~/.streamlit/secrets.toml', `[connections.db]\nurl = "global"\n`);
    const one = await boot({ connections: [Db], secrets: { env: {} } });
    expect((await one.registry.get<Db>('db').resolve()).options.url).toBe('global');

    isolatedDirs();
    const none = await boot({ connections: [Db], secrets: { env: {} } });
    expect((await none.registry.get<Db>('db').resolve()).options.url).toBe('code');
    expect(none.registry.get('db').info().source).toBe('code');
  });

  it('ST3 explicitly listed files must exist: one error lists every missing path at once (test_no_secrets_files_explodes)', async () => {
    const dir = tempDir();
    const present = join(dir, 'present.toml');
    writeFileSync(present, `[connections.db]\nurl = "x"\n`);
    const missingA = join(dir, 'a.toml');
    const missingB = join(dir, 'nested', 'b.toml');
    const error = await bootApp({ connections: [Db], secrets: { files: [missingA, present, missingB], env: {} } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionConfigError);
    expect((error as ConnectionConfigError).key).toBe('secrets.files');
    expect((error as Error).message).toContain(`2 secrets files do not exist: ${missingA}, ${missingB}`);
  });

  it('ST4 a section named after a type needs no type only with fromSecrets; without it nothing is registered', async () => {
    const dirs = isolatedDirs();
    dirs.write('.streamlit/secrets.toml', `[connections.sql]\nurl = "${PG_URL}"\n[connections.untyped]\nurl = "x"\n`);
    const off = await boot({ connections: [], secrets: { env: {} } });
    expect(off.registry.names()).toEqual([]);
    const on = await boot({ connections: [], fromSecrets: true, secrets: { env: {} } });
    // A section that is not named after a type and has no type stays options only (for a class of that name).
    expect(on.registry.names()).toEqual(['sql']);
    expect(on.registry.get('sql')).toBeInstanceOf(SqlConnection);
  });

  it('ST4 a class registered under the name wins over the name-inferred type', async () => {
    @Connection({ name: 'sql' })
    class MySql extends ControlledBase {
      override auto = true;
    }
    const dirs = isolatedDirs();
    dirs.write('secrets.toml', `[connections.sql]\nurl = "${PG_URL}"\n`);
    const { registry } = await boot({ connections: [MySql], fromSecrets: true, secrets: { env: {} } });
    expect(registry.get('sql')).toBeInstanceOf(MySql);
    expect((await registry.get<MySql>('sql').resolve()).options.url).toBe(PG_URL);
  });

  it('ST5 info() and util.inspect say where a connection was configured and its dialect (test_repr_html_, _with_secrets)', async () => {
    const dirs = isolatedDirs();
    dirs.write('secrets.toml', `[connections.my_sql_connection]\ntype = "sql"\ndialect = "postgresql"\nhost = "127.0.0.1"\nusername = "postgres"\npassword = "Hunter2-pw"\n`);
    const { registry } = await boot({
      connections: [{ name: 'from_code', type: 'sql', options: { url: 'mysql://app:Hunter2-pw@127.0.0.1:3306/app' } }],
      fromSecrets: true,
      secrets: { env: { CONNECTIONS__FROM_CODE__POOL__MAX: '3' } },
    });
    const fromFile = registry.get('my_sql_connection');
    expect(fromFile.info()).toMatchObject({ type: 'sql', source: 'secrets.toml [connections.my_sql_connection]', dialect: 'postgresql' });
    expect(inspect(fromFile)).toBe(
      "SqlConnection { name: 'my_sql_connection', state: 'idle', generation: 0, source: 'secrets.toml [connections.my_sql_connection]', dialect: 'postgresql' }",
    );
    const fromCode = registry.get('from_code');
    expect(fromCode.info()).toMatchObject({ source: 'environment', dialect: 'mysql' });
    expect(inspect(fromCode)).not.toContain('Hunter2');
    expect(JSON.stringify(registry.list())).not.toContain('Hunter2');
  });

  it('ST5 a class configured in code has source "code" and no dialect; file plus variables say both', async () => {
    const dirs = isolatedDirs();
    dirs.write('secrets.toml', `[connections.db]\nurl = "file"\n`);
    const { registry } = await boot({ connections: [Db], secrets: { env: { CONNECTIONS__DB__URL: 'env' } } });
    expect(registry.get('db').info()).toMatchObject({ source: 'secrets.toml [connections.db] + environment' });
    expect(registry.get('db').info()).not.toHaveProperty('dialect');
  });
});

await describeWithServices(['postgres', 'redis'], 'ST: Streamlit sections against the real servers', () => {
  @Injectable()
  class UsesSql {
    constructor(@InjectConnection('sql') readonly sql: SqlConnection) {}
  }

  it('ST6 [connections.sql] with no type in .streamlit/secrets.toml is a SQL connection named sql, injectable by name, querying PostgreSQL', async () => {
    const dirs = isolatedDirs();
    dirs.write('.streamlit/secrets.toml', `[connections.sql]\nurl = "${PG_URL}"\n`);
    const { app, registry } = await boot({ connections: [], fromSecrets: true, secrets: { env: {} } }, { providers: [UsesSql] });
    const sql = app.get(UsesSql).sql;
    expect(sql).toBe(registry.get('sql'));
    expect(sql).toBeInstanceOf(SqlConnection);
    expect(await sql.query('select 1 as one')).toEqual([{ one: 1 }]);
    expect(sql.info()).toMatchObject({ name: 'sql', type: 'sql', state: 'connected', dialect: 'postgresql', source: `${join('.streamlit', 'secrets.toml')} [connections.sql]` });
  });

  it('ST6 [connections.redis] with no type is a Redis connection named redis', async () => {
    const dirs = isolatedDirs();
    dirs.write('~/.streamlit/secrets.toml', `[connections.redis]\nurl = "redis://127.0.0.1:6379/0"\n`);
    const { registry } = await boot({ connections: [], fromSecrets: true, secrets: { env: {} } });
    const redis = registry.get<RedisConnection>('redis');
    expect(redis).toBeInstanceOf(RedisConnection);
    await redis.ping();
    expect(redis.info()).toMatchObject({ state: 'connected', source: `${join('~', '.streamlit', 'secrets.toml')} [connections.redis]` });
  });
});
