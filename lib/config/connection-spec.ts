import type { ConnectionDecoratorOptions } from '../interfaces/connection-options.interface.js';
import type { ConnectionPolicyOptions } from '../interfaces/connection-policy.interface.js';
import type { KeyedOptions } from '../interfaces/keyed-options.interface.js';
import type { ConnectionClass } from '../core/connections-module-options.interface.js';
import type { StandardSchemaV1 } from '../interfaces/standard-schema.interface.js';

/** One connection to register: where its class, name and options come from. */
export interface ConnectionSpec {
  name: string;
  /** The class to instantiate (or, for a decorated class entry, the class Nest instantiates). */
  cls: ConnectionClass;
  /** `info().type`: the class name or the built-in type name. */
  typeLabel: string;
  /** `@Connection()` options of the class. */
  decorator: ConnectionDecoratorOptions;
  /** Declaration-level policies and options (highest precedence), for declared connections. */
  declared?: {
    policy: ConnectionPolicyOptions;
    options: Record<string, unknown>;
    schema?: StandardSchemaV1 | undefined;
    keyed?: KeyedOptions | boolean;
  };
  /** How it was registered: a decorated class (Nest instantiates it), a declaration, or a secrets section. */
  origin: 'class' | 'declaration' | 'secrets' | 'override';
}
