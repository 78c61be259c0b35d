import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
// Types only: erased from the compiled JavaScript, so the package loads without Terminus.
import type { HealthIndicatorService } from '@nestjs/terminus';
import { ConnectionRegistry } from '../../module/connections.registry.js';
import { DEFAULT_PING_TIMEOUT_MS, pingConnection } from './connection-ping.js';
import { checkConnection, isHealthMode } from './connection-health.js';
import type {
  ConnectionHealthCheckOptions,
  ConnectionHealthIndicatorResult,
  ConnectionPingCheckOptions,
} from './connections-health.interfaces.js';

/**
 * Health of connections for `@nestjs/terminus`:
 *
 * ```ts
 * @Get('health') @HealthCheck()
 * ready() {
 *   return this.health.check([() => this.connections.isHealthy('analytics', { mode: 'readiness', timeout: 500 })]);
 * }
 * @Get('live') @HealthCheck()
 * live() {
 *   return this.health.check([() => this.connections.isHealthy('analytics', { mode: 'liveness' })]);
 * }
 * ```
 *
 * `@nestjs/terminus` is an optional peer of this package, so it is loaded here lazily, at
 * module init: an app that never provides this indicator never loads Terminus, and an app
 * that provides it without Terminus installed fails at bootstrap with a message naming the
 * package. The results are built with Terminus' `HealthIndicatorService`.
 */
@Injectable()
export class ConnectionsHealthIndicator implements OnModuleInit {
  #service: HealthIndicatorService | null = null;

  constructor(
    @Inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.#healthIndicatorService();
  }

  /**
   * Pings the connection `name` through its `_ping` (connecting first when idle) and reports
   * it `up`, or `down` with a masked `message` after a failure or `timeout` ms (default 1000).
   * An unknown name is reported `down` too, so a typo shows in the health output instead of
   * failing the whole check.
   */
  async pingCheck<const Key extends string>(
    name: Key,
    options: ConnectionPingCheckOptions = {},
  ): Promise<ConnectionHealthIndicatorResult<Key>> {
    const session = (await this.#healthIndicatorService()).check(name);
    if (!this.registry.has(name)) {
      return session.down({ message: `Unknown connection "${name}"` });
    }
    const result = await pingConnection(this.registry.get(name), options.timeout ?? DEFAULT_PING_TIMEOUT_MS);
    return result.status === 'up' ? session.up() : session.down({ message: result.error });
  }

  /**
   * The health of `name` in a probe of `mode` (default `readiness`):
   *
   * - `readiness` pings a connected instance (within `timeout`, default 1000 ms) and reports an
   *   idle one `up` with `idle: true` without connecting it, unless `connect: true`;
   * - `liveness` never touches the network: it reports the state, always `up`, so a database
   *   outage never restarts the process.
   *
   * Details carry `state` (and `idle`); a down result has the masked `message`.
   */
  async isHealthy<const Key extends string>(
    name: Key,
    options: ConnectionHealthCheckOptions = {},
  ): Promise<ConnectionHealthIndicatorResult<Key>> {
    if (options.mode !== undefined && !isHealthMode(options.mode)) {
      throw new TypeError(`isHealthy("${name}"): unknown mode; use "readiness" or "liveness"`);
    }
    const session = (await this.#healthIndicatorService()).check(name);
    if (!this.registry.has(name)) {
      return session.down({ message: `Unknown connection "${name}"` });
    }
    const result = await checkConnection(this.registry.get(name), options);
    const details = { state: result.state, ...(result.idle ? { idle: true as const } : {}) };
    return result.status === 'up' ? session.up(details) : session.down({ ...details, message: result.error });
  }

  /** Terminus' service from the app when TerminusModule is imported, else one of our own. */
  async #healthIndicatorService(): Promise<HealthIndicatorService> {
    if (this.#service) return this.#service;
    let terminus: typeof import('@nestjs/terminus');
    try {
      terminus = await import('@nestjs/terminus');
    } catch (err) {
      throw new Error(
        `ConnectionsHealthIndicator needs the optional peer "@nestjs/terminus": npm install @nestjs/terminus (${(err as Error).message})`,
        { cause: err },
      );
    }
    let service: HealthIndicatorService;
    try {
      service = this.moduleRef.get(terminus.HealthIndicatorService, { strict: false });
    } catch {
      // TerminusModule not imported: the service is stateless enough to own one.
      service = new terminus.HealthIndicatorService();
    }
    return (this.#service = service);
  }
}
