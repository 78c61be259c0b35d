import { Get, Inject, NotFoundException, Param, Query, Req, Res, ServiceUnavailableException, UseFilters } from '@nestjs/common';
import type { ClusterStatus } from '../../interfaces/cluster.interfaces.js';
import { ConnectionRegistry } from '../../module/connections.registry.js';
import { checkAll } from '../health/connection-health.js';
import type { ConnectionHealthMode, ConnectionsHealthReport } from '../health/connections-health.interfaces.js';
import { HealthConnectPipe, HealthModePipe } from './health-query.pipe.js';
import type { ConnectionInfo } from '../../interfaces/connection-info.interface.js';
import type { ConnectionKeysPage } from '../../interfaces/keyed-options.interface.js';
import { AdminEventStreams } from './admin-event-streams.js';
import { ConnectionNamePipe } from './connection-name.pipe.js';
import { CONNECTIONS_ADMIN_OPTIONS } from './connections-admin.constants.js';
import { ConnectionsAdminExceptionFilter } from './connections-admin.exception-filter.js';
import type { ConnectionsAdminOptions } from './connections-admin-options.interface.js';

/**
 * The read routes. Not decorated with `@Controller()`: `ConnectionsAdminModule.forRoot()`
 * mounts a subclass at the configured path, with the configured guards.
 *
 * Nest registers routes in the order of the methods below, so the fixed segments
 * (`health`, `events`) come before `:name`, which would capture them otherwise.
 */
@UseFilters(ConnectionsAdminExceptionFilter)
export class ConnectionsAdminController {
  constructor(
    @Inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
    @Inject(AdminEventStreams) private readonly streams: AdminEventStreams,
    @Inject(CONNECTIONS_ADMIN_OPTIONS) private readonly options: ConnectionsAdminOptions,
  ) {}

  /** `GET /`: every connection. */
  @Get()
  list(): ConnectionInfo[] {
    return this.registry.list();
  }

  /**
   * `GET /health?mode=readiness|liveness&connect=`: every connection's health (see
   * `checkConnection`); 503 with the same body when one is down, 400 for an unknown mode.
   */
  @Get('health')
  health(
    @Query('mode', HealthModePipe) mode: ConnectionHealthMode,
    @Query('connect', HealthConnectPipe) connect: boolean,
  ): Promise<ConnectionsHealthReport> {
    return this.#health(mode, connect);
  }

  /** `GET /events`: server-sent `ConnectionEvent`s, one `data:` line of JSON each. */
  @Get('events')
  events(@Req() request: unknown, @Res() response: unknown): void {
    this.streams.open(request, response);
  }

  /** `GET /cluster`: the live replicas, this one's broker link and dropped messages; 404 without `forRoot({ cluster })`. */
  @Get('cluster')
  cluster(): ClusterStatus {
    const cluster = this.registry.cluster;
    if (!cluster) throw new NotFoundException('No cluster: ConnectionsModule.forRoot({ cluster }) is not configured');
    return cluster.status();
  }

  /** `GET /:name/health`: the same for one connection (the page's "check now"); 404 for an unknown name. */
  @Get(':name/health')
  connectionHealth(
    @Param('name', ConnectionNamePipe) name: string,
    @Query('mode', HealthModePipe) mode: ConnectionHealthMode,
    @Query('connect', HealthConnectPipe) connect: boolean,
  ): Promise<ConnectionsHealthReport> {
    this.registry.get(name); // UnknownConnectionError -> 404
    return this.#health(mode, connect, [name]);
  }

  /**
   * `GET /:name/keys?limit=&after=`: a page of a keyed connection's live keys, most recently
   * used first (`{ items, next }`); 400 for a connection that is not keyed or a bad `limit`.
   */
  @Get(':name/keys')
  keys(@Param('name', ConnectionNamePipe) name: string, @Query('limit') limit?: string, @Query('after') after?: string): ConnectionKeysPage {
    const parsed = limit === undefined || limit === '' ? undefined : /^\d{1,4}$/.test(limit) ? Number(limit) : NaN;
    return this.registry.keys(name, { limit: parsed, after: typeof after === 'string' && after !== '' ? after : undefined });
  }

  /** `GET /:name`: one connection; 400 for a malformed name, 404 for an unknown one. */
  @Get(':name')
  one(@Param('name', ConnectionNamePipe) name: string): ConnectionInfo {
    return this.registry.info(name);
  }

  async #health(mode: ConnectionHealthMode, connect: boolean, names?: string[]): Promise<ConnectionsHealthReport> {
    const report = await checkAll(this.registry, { mode, connect, timeout: this.options.healthTimeout }, names);
    if (report.status === 'down') throw new ServiceUnavailableException(report);
    return report;
  }
}
