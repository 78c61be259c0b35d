import { describe, expect, it } from 'vitest';
import { CircuitOpenError, ConnectError, ConnectionClosedError, ConnectionConfigError, UnknownConnectionError } from 'nestjs-connections';
import { ClusterUnavailableError } from 'nestjs-connections/cluster';
import { toHttpException } from '../../lib/ops/admin/connections-admin.exception-filter.js';

describe('admin error mapping', () => {
  const cases: Array<[string, Error, number]> = [
    ['unknown connection is 404', new UnknownConnectionError('x', ['a']), 404],
    ['configuration error is 400', new ConnectionConfigError('x', 'strategy', 'bad'), 400],
    ['failed swap connect is 502', new ConnectError('x', 'refused', new Error('refused')), 502],
    ['open circuit is 503', new CircuitOpenError('x'), 503],
    ['closed app is 503', new ConnectionClosedError('x'), 503],
    ['unreachable cluster broker is 503', new ClusterUnavailableError('x', 'redis', 'broker down'), 503],
  ];
  for (const [label, error, status] of cases) {
    it(`maps: ${label}`, () => expect(toHttpException(error as never).getStatus()).toBe(status));
  }
});
