import { BadRequestException } from '@nestjs/common';
import type { ResetStrategy } from '../interfaces/reset-result.interface.js';
import type { ClusterResetOptions } from '../interfaces/cluster.interfaces.js';

/**
 * `?scope=` and `?targets=` of the admin reset routes: `null` for a local reset (no scope, or
 * `local`), the cluster reset options for `scope=cluster`. `targets` is a comma-separated
 * list of ids or globs, or the parameter repeated. Anything else is a 400.
 */
export function clusterResetQuery(scope: unknown, targets: unknown, strategy?: ResetStrategy): ClusterResetOptions | null {
  const hasTargets = targets !== undefined && targets !== '';
  if (scope === undefined || scope === '' || scope === 'local') {
    if (hasTargets) throw new BadRequestException('targets needs scope=cluster');
    return null;
  }
  if (scope !== 'cluster') throw new BadRequestException('Unknown reset scope: use "local" (the default) or "cluster"');
  const list = hasTargets
    ? (Array.isArray(targets) ? targets : [targets])
        .flatMap((item) => String(item).split(','))
        .map((item) => item.trim())
        .filter(Boolean)
    : undefined;
  return { scope: 'cluster', ...(list ? { targets: list } : {}), ...(strategy ? { strategy } : {}) };
}
