import { BadGatewayException, HttpCode, Inject, Param, Post, Query, UseFilters } from '@nestjs/common';
import { ConnectionRegistry } from '../../module/connections.registry.js';
import { ConnectionsError } from '../../errors/connection.errors.js';
import type { ResetResult, ResetStrategy } from '../../interfaces/reset-result.interface.js';
import type { ClusterResetResult } from '../../interfaces/cluster.interfaces.js';
import { clusterResetQuery } from '../../cluster/cluster-reset.query.js';
import { maskText } from '../../utils/mask.util.js';
import { ConnectionNamePipe } from './connection-name.pipe.js';
import { ConnectionsAdminExceptionFilter } from './connections-admin.exception-filter.js';
import { ResetStrategyPipe } from './reset-strategy.pipe.js';

/**
 * The write routes (`write: false` leaves them unmounted). Mounted by
 * `ConnectionsAdminModule.forRoot()` like `ConnectionsAdminController`.
 */
@UseFilters(ConnectionsAdminExceptionFilter)
export class ConnectionsAdminResetController {
  constructor(@Inject(ConnectionRegistry) private readonly registry: ConnectionRegistry) {}

  /**
   * `POST /reset`: resets every connection. With `?strategy=swap` a replacement may fail to
   * connect; the others are still swapped, and the answer is a 502 that lists the failures
   * next to the results of those that succeeded.
   * With `?scope=cluster` (and `&targets=`), on every replica: `ClusterResetResult`.
   */
  @Post('reset')
  @HttpCode(200)
  async resetAll(
    @Query('strategy', ResetStrategyPipe) strategy?: ResetStrategy,
    @Query('scope') scope?: string,
    @Query('targets') targets?: string | string[],
  ): Promise<ResetResult[] | ClusterResetResult<ResetResult[]>> {
    const cluster = clusterResetQuery(scope, targets, strategy);
    if (cluster) return this.registry.resetAll(cluster);
    const names = this.registry.names();
    const settled = await Promise.allSettled(names.map((name) => this.registry.reset(name, { strategy })));
    const results: ResetResult[] = [];
    const failures: Array<{ name: string; error: string }> = [];
    settled.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') results.push(outcome.value);
      else failures.push({ name: names[index], error: messageOf(outcome.reason) });
    });
    if (failures.length) {
      throw new BadGatewayException({
        statusCode: 502,
        error: 'Bad Gateway',
        message: `${failures.length} of ${names.length} connections could not be reset`,
        failures,
        results,
      });
    }
    return results;
  }

  /**
   * `POST /:name/reset`: `ResetResult`; 404 for an unknown name, 502 when a swap could not connect.
   * With `?scope=cluster` (and `&targets=`), on every replica: `ClusterResetResult`.
   */
  @Post(':name/reset')
  @HttpCode(200)
  reset(
    @Param('name', ConnectionNamePipe) name: string,
    @Query('strategy', ResetStrategyPipe) strategy?: ResetStrategy,
    @Query('scope') scope?: string,
    @Query('targets') targets?: string | string[],
  ): Promise<ResetResult | ClusterResetResult> {
    const cluster = clusterResetQuery(scope, targets, strategy);
    return cluster ? this.registry.reset(name, cluster) : this.registry.reset(name, { strategy });
  }

  /**
   * `POST /:name/keys/:key/reset`: resets one key of a keyed connection (`ResetResult` with
   * `key`); 400 when the connection is not keyed or the key is not a usable string. With
   * `?scope=cluster` (and `&targets=`), that key on every replica.
   */
  @Post(':name/keys/:key/reset')
  @HttpCode(200)
  resetKey(
    @Param('name', ConnectionNamePipe) name: string,
    @Param('key') key: string,
    @Query('strategy', ResetStrategyPipe) strategy?: ResetStrategy,
    @Query('scope') scope?: string,
    @Query('targets') targets?: string | string[],
  ): Promise<ResetResult | ClusterResetResult> {
    const cluster = clusterResetQuery(scope, targets, strategy);
    return cluster ? this.registry.reset(name, { ...cluster, key }) : this.registry.reset(name, { strategy, key });
  }
}

/** Our errors are masked at the source; anything else is not shown at all. */
function messageOf(error: unknown): string {
  return error instanceof ConnectionsError ? maskText(error.message) : 'internal error';
}
