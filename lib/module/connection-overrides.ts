import { BaseConnection } from '../core/base-connection.js';
import { CONNECTION_METADATA } from '../core/connections.constants.js';
import type { ConnectionClass } from '../core/connections-module-options.interface.js';
import { FAKE_CONNECTION_TYPE, kFake, kStandalone } from '../core/fake-connection.js';
import type { ConnectionDecoratorOptions } from '../interfaces/connection-options.interface.js';
import type { ConnectionInfo } from '../interfaces/connection-info.interface.js';
import type { ResetResult } from '../interfaces/reset-result.interface.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import { describe } from '../utils/describe.util.js';
import type { ConnectionSpec } from '../config/connection-spec.js';

/** `info().type` of an override value that is not a `BaseConnection` (a plain mock object). */
export const OVERRIDE_TYPE = 'override';

/** Whether `value` is the instance Nest made of `cls` itself, i.e. not an `overrideProvider()` value. */
export function isOriginalInstance(value: unknown, cls: ConnectionClass): boolean {
  return value instanceof BaseConnection && value.constructor === cls && !(kFake in value);
}

/** Whether a `BaseConnection` is a `fakeConnection()` still bound on its own, which the registry may rename. */
export function isStandalone(value: BaseConnection<unknown, object>): boolean {
  return (value as { [kStandalone]?: boolean })[kStandalone] === true;
}

/** The registry took a standalone fake: it is registered now, and a second override with it is an error. */
export function claimStandalone(value: BaseConnection<unknown, object>): void {
  (value as { [kStandalone]?: boolean })[kStandalone] = false;
}

/**
 * The spec an override `BaseConnection` is registered with: the name of what it replaces, but
 * its own class's `@Connection()` options only (not inherited ones: a `useClass(Fake)` that
 * extends the real class must not inherit its `required` keys or schema), and no declaration.
 */
export function overrideSpecOf(name: string, value: BaseConnection<unknown, object>): ConnectionSpec {
  const cls = value.constructor as ConnectionClass;
  const own = Reflect.getOwnMetadata(CONNECTION_METADATA, cls) as ConnectionDecoratorOptions | undefined;
  const { name: _ignored, ...decorator } = own ?? {};
  return { name, cls, typeLabel: kFake in value ? FAKE_CONNECTION_TYPE : cls.name, decorator, origin: 'override' };
}

/** An override value of `null` or `undefined` is a mistake: say so at bootstrap (S4). */
export function checkOverrideValue(name: string, token: string, value: unknown): void {
  if (value === null || value === undefined) {
    throw new ConnectionConfigError(
      name,
      'override',
      `overrideProvider(${token}) gave ${value === null ? 'null' : 'undefined'}; give fakeConnection(raw), a BaseConnection or a test double object`,
    );
  }
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new ConnectionConfigError(name, 'override', `overrideProvider(${token}) gave ${describe(value)}, not an object`);
  }
}

/**
 * `info()` of an override value that is not a `BaseConnection`: the registry knows nothing of
 * its lifecycle, so it reports an idle connection of type `override` that never connected.
 */
export function overrideInfo(name: string): ConnectionInfo {
  return {
    name,
    type: OVERRIDE_TYPE,
    state: 'idle',
    generation: 0,
    connectedAt: null,
    connects: 0,
    failures: 0,
    resets: 0,
    lastError: null,
    ttlMs: null,
    leases: 0,
    circuit: null,
    source: 'override',
    config: { status: 'current', at: new Date().toISOString(), error: null },
  };
}

/** A reset of such a value does nothing (the test owns it) and says so. */
export function overrideReset(name: string): ResetResult {
  return { name, reset: false, previousGeneration: 0, generation: 0 };
}
