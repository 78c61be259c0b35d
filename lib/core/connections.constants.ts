/** Metadata key under which `@Connection()` stores its options on the class. */
export const CONNECTION_METADATA = 'nestjs-connections:connection';

/** Injection token of the static connection specs collected by `forRoot`/`forFeature`. */
export const CONNECTION_SPECS = Symbol('nestjs-connections:specs');

/** Injection token of the fully loaded configuration (module options + secrets). */
export const CONNECTIONS_CONFIG = Symbol('nestjs-connections:config');

/** Injection token of the connections the module instantiates itself (declarations, secrets sections). */
export const CONNECTION_CATALOG = Symbol('nestjs-connections:catalog');

/** Prefix of the environment variables that configure connections: `CONNECTIONS__<NAME>__<KEY>`. */
export const ENV_PREFIX = 'CONNECTIONS__';

/** Routes of the admin API take these names, so no connection may use them (S4). */
export const RESERVED_CONNECTION_NAMES: readonly string[] = ['health', 'events', 'ui', 'reset', 'cluster'];

/** Connection names end up in URLs and environment variable names: keep them plain. */
export const CONNECTION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** Defaults applied when neither the decorator nor the module sets a value. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
export const DEFAULT_SECRETS_FILE = 'secrets.toml';


/** Injection token of the options given to `forRoot` / returned by `forRootAsync`'s factory. */
export const CONNECTIONS_MODULE_OPTIONS = 'CONNECTIONS_MODULE_OPTIONS';
