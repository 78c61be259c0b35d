import { describe, expect, it } from 'vitest';
import * as root from 'nestjs-connections';

/** What 0.1 exported from the root and stays there in 0.2 (the integrations moved to entry points: see the README). */
const KEPT_FROM_0_1 = [
  'BaseConnection',
  'Connection',
  'InjectConnection',
  'getConnectionToken',
  'ConnectionsModule',
  'ConnectionRegistry',
  'ConnectionsError',
  'ConnectError',
  'ConnectionConfigError',
  'ConnectionClosedError',
  'UnknownConnectionError',
  'CircuitOpenError',
  'CONNECTIONS_MODULE_OPTIONS',
  'RESERVED_CONNECTION_NAMES',
  'MissingPeerError',
  'OptionKeyError',
];

describe('the package root', () => {
  it('keeps every core export of 0.1 and adds the wave-2 ones', () => {
    expect(Object.keys(root)).toEqual(expect.arrayContaining([...KEPT_FROM_0_1, 'fakeConnection', 'runWithConnectionKey', 'PingError', 'ConnectionKeyError']));
    expect(root.RESERVED_CONNECTION_NAMES).toEqual(['health', 'events', 'ui', 'reset', 'cluster']);
  });

  it('exports no integration that needs an optional peer (they have entry points of their own)', () => {
    const integrations = ['SqlConnection', 'RedisConnection', 'TypeOrmConnection', 'DrizzleConnection', 'ConnectionsAdminModule', 'ConnectionsHealthIndicator', 'ConnectionsTelemetryModule', 'ClusterCoordinator'];
    expect(Object.keys(root).filter((name) => integrations.includes(name))).toEqual([]);
  });
});
