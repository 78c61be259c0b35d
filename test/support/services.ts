import { Socket } from 'node:net';
import { describe, it } from 'vitest';

/** The shared services of the machine (all on 127.0.0.1). */
export const SERVICES = {
  postgres: { host: '127.0.0.1', port: 5432 },
  mariadb: { host: '127.0.0.1', port: 3306 },
  redis: { host: '127.0.0.1', port: 6379 },
  nats: { host: '127.0.0.1', port: 4222 },
} as const;

export type ServiceName = keyof typeof SERVICES;

/** True when a TCP connection to the service opens within the timeout. */
export function isReachable(service: ServiceName, timeoutMs = 1_000): Promise<boolean> {
  const { host, port } = SERVICES[service];
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/**
 * `describe` for tests that need real services. When one is not reachable the suite is
 * skipped with a visible message, except under `REQUIRE_SERVICES=1` (CI), where the suite
 * fails instead: a missing service must never pass as green.
 */
export async function describeWithServices(
  services: ServiceName[],
  title: string,
  body: () => void,
): Promise<void> {
  const missing: ServiceName[] = [];
  for (const service of services) if (!(await isReachable(service))) missing.push(service);
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  const what = missing.map((s) => `${s} (${SERVICES[s].host}:${SERVICES[s].port})`).join(', ');
  if (process.env.REQUIRE_SERVICES === '1') {
    describe(title, () => {
      it(`requires ${what}`, () => {
        throw new Error(`REQUIRE_SERVICES=1 but not reachable: ${what}`);
      });
    });
    return;
  }
  console.warn(`[skipped] ${title}: not reachable: ${what} (set REQUIRE_SERVICES=1 to make this fail)`);
  describe.skip(`${title} [skipped: ${what} not reachable]`, body);
}
