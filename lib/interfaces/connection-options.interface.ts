import type { ConnectionPolicyOptions } from './connection-policy.interface.js';
import type { StandardSchemaV1 } from './standard-schema.interface.js';
import type { KeyedOptions } from './keyed-options.interface.js';

/** Options of the `@Connection()` class decorator. */
export interface ConnectionDecoratorOptions<TOptions = Record<string, unknown>> extends ConnectionPolicyOptions {
  /** Registry name. Default: the class name in kebab-case, a trailing `Connection` dropped. */
  name?: string;
  /** Defaults passed to `_connect` (lowest precedence, S1). */
  options?: Partial<TOptions>;
  /** Option keys that must be present after merging (checked at bootstrap, S4). */
  required?: readonly string[];
  /**
   * A Standard Schema v1 validator (zod 4, valibot, arktype...) of the merged options, run at
   * bootstrap and on each secrets reload; its output is what `_connect` receives.
   */
  schema?: StandardSchemaV1;
  /** One instance per key (`conn.for(key)`): see `KeyedOptions`. */
  keyed?: KeyedOptions | boolean;
}
