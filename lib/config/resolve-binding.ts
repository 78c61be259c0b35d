import type { Logger } from '@nestjs/common';
import type { Subject } from 'rxjs';
import type { ConnectionBinding, DescribesOptions } from '../core/connection-binding.js';
import { kDescribeOptions } from '../core/connection.symbols.js';
import { optionKeysShapeOf } from '../core/option-keys.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import type { ConnectionEvent } from '../interfaces/connection-event.interface.js';
import type { ConnectionPolicyOptions } from '../interfaces/connection-policy.interface.js';
import type { ConnectionConfigStatus } from '../interfaces/connection-info.interface.js';
import { collectSecretValues } from '../utils/mask.util.js';
import { deepFreeze, findForbiddenKey, mergeLayers } from '../utils/object.util.js';
import type { ConnectionSpec } from './connection-spec.js';
import { aboutOfBinding } from './connection-source.js';
import { envOptionsFor } from './env-sections.js';
import { resolveKeyed, withoutKeyTables } from './resolve-keyed.js';
import { resolvePolicy, splitSection } from './resolve-policy.js';
import type { SecretsSections } from './secrets-files.js';

/** Shared by every connection without a secrets section: idle connections are many, keep them small. */
const NO_SECRETS: Readonly<Record<string, unknown>> = Object.freeze({});
const NO_SECRET_VALUES: ReadonlySet<string> = new Set<string>();

function secretValuesOf(options: Record<string, unknown>): ReadonlySet<string> {
  const values = collectSecretValues(options);
  return values.size ? values : NO_SECRET_VALUES;
}

export interface BindingContext {
  defaults: ConnectionPolicyOptions | undefined;
  sections: SecretsSections;
  env: Record<string, string | undefined> | null;
  /** `ConnectionsModule` options per name (`options`), the highest layer (S1). */
  moduleOptions?: Record<string, Record<string, unknown>> | undefined;
  sink: Subject<ConnectionEvent> | null;
  logger: Logger;
  /** Per connection name, the secrets files its section came from (see `SecretsSnapshot.origins`). */
  origins?: Record<string, readonly string[]>;
  /** The `info().config` of the options being bound: shared by every binding of one load. */
  status?: ConnectionConfigStatus;
}

/**
 * Computes what a connection runs with (S1): options merged key by key from the decorator's
 * `options` < the secrets files' `[connections.<name>]` < `CONNECTIONS__<NAME>__<KEY>` <
 * module options; policies from module `defaults` < decorator < secrets < env < declaration.
 */
export function resolveBinding(spec: ConnectionSpec, ctx: BindingContext): ConnectionBinding {
  const { name, decorator } = spec;
  const { section: fileSection, keyTables } = withoutKeyTables(
    name,
    Object.hasOwn(ctx.sections, name) ? ctx.sections[name] : undefined,
  );
  const moduleLayer = ctx.moduleOptions && Object.hasOwn(ctx.moduleOptions, name) ? ctx.moduleOptions[name] : undefined;
  const known = () =>
    mergeLayers(optionKeysShapeOf(spec.cls), decorator.options as Record<string, unknown> | undefined, fileSection, spec.declared?.options, moduleLayer);
  const envSection = ctx.env ? envOptionsFor(name, ctx.env, known) : {};
  const fromFiles = splitSection(fileSection);
  const fromEnv = splitSection(envSection);

  const codeOptions = decorator.options as Record<string, unknown> | undefined;
  const forbidden = findForbiddenKey(codeOptions) ?? findForbiddenKey(spec.declared?.options) ?? findForbiddenKey(moduleLayer);
  if (forbidden) throw new ConnectionConfigError(name, forbidden, 'this key name is not allowed');

  const options = mergeLayers(codeOptions, fromFiles.options, fromEnv.options, spec.declared?.options, moduleLayer);
  const { name: _n, options: _o, required, schema: _s, keyed: decoratorKeyed, ...decoratorPolicy } = decorator;
  const policy = resolvePolicy(name, [
    ctx.defaults,
    decoratorPolicy,
    fromFiles.policy,
    fromEnv.policy,
    spec.declared?.policy,
  ]);
  const keyed = resolveKeyed(name, spec.declared?.keyed ?? decoratorKeyed, keyTables);
  if (keyed && policy.eager) throw new ConnectionConfigError(name, 'eager', 'a keyed connection cannot be eager: it connects per key, on first use');
  for (const key of required ?? []) {
    const value = options[key];
    if (value === undefined || value === null || value === '') {
      throw new ConnectionConfigError(
        name,
        key,
        `is required: set it in [connections.${name}] of secrets.toml, in CONNECTIONS__${name.toUpperCase().replace(/-/g, '_')}__${key.toUpperCase()}, or in the module options`,
      );
    }
  }
  return {
    name,
    type: spec.typeLabel,
    options,
    secrets: fileSection || Object.keys(envSection).length ? deepFreeze(mergeLayers(fileSection, envSection)) : NO_SECRETS,
    secretValues: secretValuesOf(keyTables ? { options, keyTables } : options),
    policy,
    keyed,
    sink: ctx.sink,
    logger: ctx.logger,
    about: aboutOfBinding(name, Boolean(fileSection), Object.keys(envSection).length > 0, ctx, describeOptions(spec, options)),
  };
}

/** The class's own description of its options (SqlConnection: the dialect); never throws (see `kDescribeOptions`). */
function describeOptions(spec: ConnectionSpec, options: Record<string, unknown>): string | undefined {
  try {
    return (spec.cls as DescribesOptions)[kDescribeOptions]?.(options).dialect;
  } catch {
    return undefined;
  }
}
