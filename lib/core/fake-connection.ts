import { Logger } from '@nestjs/common';
import { BaseConnection } from './base-connection.js';
import { aboutOf, type ConnectionBinding } from './connection-binding.js';
import { kBind } from './connection.symbols.js';
import { DEFAULT_POLICY } from './connect-policy.js';

/** Marks a `fakeConnection()`. */
export const kFake = Symbol('nestjs-connections:fake');
/** True while a fake is bound on its own: the registry may then give it the name of what it replaces (once). */
export const kStandalone = Symbol('nestjs-connections:standalone');

/** `info().type` of a fake connection. */
export const FAKE_CONNECTION_TYPE = 'fake';

/** The binding of a connection that is not in any registry: no options, no secrets, default policies. */
export function standaloneBinding(name: string, type: string): ConnectionBinding {
  return {
    name,
    type,
    options: {},
    secrets: Object.freeze({}),
    secretValues: new Set<string>(),
    policy: DEFAULT_POLICY,
    keyed: null,
    sink: null,
    logger: new Logger(`Connections:${name}`),
    about: aboutOf('code', undefined, { status: 'current', at: new Date().toISOString(), error: null }),
  };
}

class FakeConnection<TRaw> extends BaseConnection<TRaw> {
  readonly [kFake] = true;
  [kStandalone] = true;

  constructor(private readonly raw: TRaw) {
    super();
  }

  protected _connect(): TRaw {
    return this.raw;
  }
}

/**
 * A connection whose `_connect` returns `raw`, for tests: lazy (nothing happens before the
 * first `resolve()`), resettable, counted (`generation`, `info()`, events), with no I/O.
 *
 * It is registered on creation (as `name`, default `'fake'`), so it works on its own; given to
 * `overrideProvider(...).useValue()` it takes the name of the connection it replaces.
 */
export function fakeConnection<TRaw>(raw: TRaw, options: { name?: string } = {}): BaseConnection<TRaw> {
  const connection = new FakeConnection(raw);
  connection[kBind](standaloneBinding(options.name ?? FAKE_CONNECTION_TYPE, FAKE_CONNECTION_TYPE));
  return connection;
}
