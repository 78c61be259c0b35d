import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Connection, ConnectionConfigError } from 'nestjs-connections';
import { bootApp } from '../support/app.js';
import { ControlledBase } from '../support/controlled-connection.js';
import { tempDir } from '../support/temp-files.js';

@Connection({ name: 'reports-db' })
class ReportsDb extends ControlledBase {}

async function bootError(options: Parameters<typeof bootApp>[0]): Promise<unknown> {
  return bootApp(options).then(
    async ({ app }) => {
      await app.close();
      return undefined;
    },
    (e: unknown) => e,
  );
}

describe('H4 environment names must not collide (both would read the same CONNECTIONS__<NAME>__ variables)', () => {
  const cases: Array<[string, () => Parameters<typeof bootApp>[0], string, string]> = [
    ['"-" and "_"', () => ({ connections: [{ name: 'reports-db', type: ReportsDb }, { name: 'reports_db', type: ReportsDb }] }), 'reports_db', 'reports-db'],
    ['case only', () => ({ connections: [{ name: 'db', type: ReportsDb }, { name: 'DB', type: ReportsDb }] }), 'DB', 'db'],
    ['a class and a declaration', () => ({ connections: [ReportsDb, { name: 'Reports_DB', type: ReportsDb }] }), 'Reports_DB', 'reports-db'],
  ];
  for (const [label, options, second, first] of cases) {
    it(`H4 env clash: ${label} fails bootstrap with a ConnectionConfigError naming both`, async () => {
      const error = await bootError(options());
      expect(error).toBeInstanceOf(ConnectionConfigError);
      expect((error as ConnectionConfigError).key).toBe('name');
      expect((error as Error).message).toContain(`"${second}"`);
      expect((error as Error).message).toContain(`"${first}"`);
      expect((error as Error).message).toMatch(/CONNECTIONS__REPORTS_DB__|CONNECTIONS__DB__/);
    });
  }

  it('H4 env clash: sections of a secrets file registered with fromSecrets are checked too', async () => {
    const file = join(tempDir(), 'secrets.toml');
    writeFileSync(file, `[connections.reports-db]\ntype = "sql"\nurl = "sqlite:///a.db"\n[connections.reports_db]\ntype = "sql"\nurl = "sqlite:///b.db"\n`);
    const error = await bootError({ secrets: { files: [file], env: false }, fromSecrets: true });
    expect(error).toBeInstanceOf(ConnectionConfigError);
    expect((error as Error).message).toMatch(/"reports_db".*"reports-db"|"reports-db".*"reports_db"/);
  });

  it('H4 env clash: distinct environment names boot', async () => {
    const { app, registry } = await bootApp({ connections: [{ name: 'reports-db', type: ReportsDb }, { name: 'reports-db2', type: ReportsDb }] });
    expect(registry.names().toSorted()).toEqual(['reports-db', 'reports-db2']);
    await app.close();
  });
});
