import type { ExecutionContext, ModuleMetadata, Type } from '@nestjs/common';
import type { BaseConnection } from './base-connection.js';
import type { ClusterOptions } from '../interfaces/cluster.interfaces.js';
import type { ConnectionPolicyOptions, Duration } from '../interfaces/connection-policy.interface.js';
import type { ResetStrategy } from '../interfaces/reset-result.interface.js';
import type { StandardSchemaV1 } from '../interfaces/standard-schema.interface.js';
import type { KeyedOptions } from '../interfaces/keyed-options.interface.js';

/** Any class that extends `BaseConnection`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ConnectionClass = Type<BaseConnection<any, any>>;

/**
 * A connection declared in configuration rather than by a decorated class:
 * `{ name: 'notes', type: 'sql', options: { url } }`.
 */
export interface ConnectionDeclaration extends ConnectionPolicyOptions {
  name: string;
  /** A `BaseConnection` subclass, or a type name (`'sql'`, `'redis'`, or one of `types`). */
  type: ConnectionClass | string;
  /** Options for `_connect`; the highest precedence (S1). */
  options?: Record<string, unknown>;
  /** A Standard Schema v1 validator of the merged options, run before the class's own `schema`. */
  schema?: StandardSchemaV1;
  /** One instance per key (`conn.for(key)`): see `KeyedOptions`. */
  keyed?: KeyedOptions | boolean;
}

/** A decorated class, or a declaration. */
export type ConnectionEntry = ConnectionClass | ConnectionDeclaration;

export interface SecretsOptions {
  /**
   * TOML files in Streamlit's layout; later files win key by key; each must exist. Default, each
   * read when present: `~/.streamlit/secrets.toml`, then `.streamlit/secrets.toml`, then
   * `secrets.toml` (both in the working directory), later winning (docs/secrets.md).
   */
  files?: string[];
  /** Read `CONNECTIONS__<NAME>__<KEY>` variables: `true` (default) for `process.env`, `false`, or an explicit map. */
  env?: boolean | Record<string, string | undefined>;
  /** Watch the files and reset the connections whose merged options changed (S3). */
  watch?: boolean | SecretsWatchOptions;
  /** Largest secrets file read, in bytes; a larger one is refused before it is parsed. Default 1 MiB (1048576). */
  maxFileBytes?: number;
  /** Deepest nesting of tables and arrays in a secrets file (`[a.b.c]` is 3). Default 32. */
  maxDepth?: number;
}

export interface SecretsWatchOptions {
  /** How the changed connections are reset: `drop` (default) or `swap` (connect the new options first). */
  strategy?: ResetStrategy;
  /** Quiet time after the last file event before the files are read again. Default 50 ms. */
  debounceMs?: number;
  /**
   * Read the files every `poll` (e.g. `'10s'`, at least 100 ms) instead of listening to file
   * system events: for network file systems, which send none.
   */
  poll?: Duration;
}

/** Options of `ConnectionsModule.forRoot()` that may also come from `forRootAsync`'s factory. */
export interface ConnectionsModuleOptions {
  /** Secrets files and environment; `false` turns both off. */
  secrets?: false | SecretsOptions;
  /** Policies for every connection, below the decorator's. */
  defaults?: ConnectionPolicyOptions;
  /** Custom type names for declared connections: `{ 'my-api': MyApiConnection }`. */
  types?: Record<string, ConnectionClass>;
  /** Also register every `[connections.<name>]` secrets section that has a `type`. */
  fromSecrets?: boolean;
  /** Declarations that only exist at runtime (forRootAsync); reachable through the registry and `@InjectConnection`-less. */
  connections?: ConnectionEntry[];
  /**
   * Options per connection name, `{ [name]: { ...options } }`: the highest precedence (S1), as
   * a declaration's own. This is how a `ConfigService` value reaches a class listed statically
   * (return it from `forRootAsync`'s factory). A name that no connection has fails bootstrap.
   */
  options?: Record<string, Record<string, unknown>>;
  /** Many replicas: resets with `scope: 'cluster'` reach every replica over Redis or NATS (see the README). */
  cluster?: ClusterOptions;
  /**
   * How long `app.close()` waits for connects and disposals still in flight (default `'10s'`,
   * inside Kubernetes' 30 s grace period). After it, callers still waiting on a connect get
   * `ConnectionClosedError`, the rest is abandoned, and `app.close()` ends.
   */
  shutdownTimeout?: Duration;
  /**
   * The connection key of each request (HTTP, RPC, GraphQL), for keyed connections: inside the
   * request, `conn.resolve()` / `use()` of a keyed connection act on that key. Applied by a
   * global interceptor; `undefined` leaves the request without a key.
   */
  keyFrom?: (context: ExecutionContext) => string | undefined;
}

/** The module-definition extras: what must be known statically. */
export interface ConnectionsModuleExtras {
  /** Connection classes and declarations known when the module is defined. */
  connections?: ConnectionEntry[];
  /** Register the module globally (default `true`). */
  isGlobal?: boolean;
  /** Modules whose providers the listed connection classes inject (forRoot; forRootAsync has its own `imports`). */
  imports?: ModuleImport[];
}

/** Anything a module's `imports` accepts. */
export type ModuleImport = NonNullable<ModuleMetadata['imports']>[number];
