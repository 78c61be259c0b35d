import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';

// Simulates an app that installed neither optional peer: importing either one fails.
vi.mock('@nestjs/terminus', () => {
  throw new Error("Cannot find package '@nestjs/terminus' (simulated)");
});
vi.mock('@opentelemetry/api', () => {
  throw new Error("Cannot find package '@opentelemetry/api' (simulated)");
});

const OPTIONAL_PEERS = ['@nestjs/terminus', '@opentelemetry/api'];

async function sourcesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

describe('optional peers @nestjs/terminus and @opentelemetry/api', () => {
  it('no file of lib/ imports them statically, except `import type` (erased at compile time)', async () => {
    const offenders: string[] = [];
    for (const file of await sourcesOf('lib')) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/^\s*(import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)) {
        if (OPTIONAL_PEERS.includes(match[2])) offenders.push(`${file}: ${match[0].trim()}`);
      }
      for (const match of text.matchAll(/^\s*import\s+'([^']+)'/gm)) {
        if (OPTIONAL_PEERS.includes(match[1])) offenders.push(`${file}: ${match[0].trim()}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the package root and the ops entry points load without them', async () => {
    await expect(import('@nestjs/terminus')).rejects.toThrow('mock'); // the simulation works
    expect((await import('nestjs-connections')).ConnectionsModule).toBeTypeOf('function');
    expect((await import('nestjs-connections/terminus')).ConnectionsHealthIndicator).toBeTypeOf('function');
    expect((await import('nestjs-connections/otel')).ConnectionsTelemetryModule).toBeTypeOf('function');
    expect((await import('nestjs-connections/admin')).ConnectionsAdminModule).toBeTypeOf('function');
  });

  it('providing ConnectionsHealthIndicator without Terminus fails bootstrap with a message naming the package', async () => {
    const { bootApp } = await import('../support/app.js');
    const { ConnectionsHealthModule } = await import('nestjs-connections/terminus');
    await expect(bootApp({ connections: [] }, { imports: [ConnectionsHealthModule] })).rejects.toThrow(
      /ConnectionsHealthIndicator needs the optional peer "@nestjs\/terminus": npm install @nestjs\/terminus/,
    );
  });

  it('ConnectionsTelemetry without OpenTelemetry is a no-op that says which package to install', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { bootApp } = await import('../support/app.js');
    const { AutoConnection } = await import('../support/controlled-connection.js');
    const { ConnectionsTelemetry, ConnectionsTelemetryModule } = await import('nestjs-connections/otel');
    const { app } = await bootApp({ connections: [AutoConnection] }, { imports: [ConnectionsTelemetryModule.forRoot()] });
    try {
      expect(app.get(ConnectionsTelemetry).enabled).toBe(false);
      await app.get(AutoConnection).resolve(); // and the app works as usual
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('npm install @opentelemetry/api'));
    } finally {
      warn.mockRestore();
      await app.close();
    }
  });
});
