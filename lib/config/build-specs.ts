import { getConnectionMetadata, isDecoratedConnection } from '../core/connection.decorator.js';
import { BaseConnection } from '../core/base-connection.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import type {
  ConnectionClass,
  ConnectionDeclaration,
  ConnectionEntry,
} from '../core/connections-module-options.interface.js';
import { defaultConnectionName } from '../utils/naming.util.js';
import { isPlainObject } from '../utils/object.util.js';
import type { ConnectionSpec } from './connection-spec.js';
import { describe } from '../utils/describe.util.js';
import { POLICY_KEYS } from './resolve-policy.js';
import { checkSchema } from './apply-schema.js';
import type { SecretsSections } from './secrets-files.js';

const DECLARATION_KEYS = new Set<string>(['name', 'type', 'options', 'schema', 'keyed', ...POLICY_KEYS]);
const DECORATOR_KEYS = new Set<string>(['name', 'options', 'required', 'schema', 'keyed', ...POLICY_KEYS]);

function isConnectionClass(value: unknown): value is ConnectionClass {
  return typeof value === 'function' && value.prototype instanceof BaseConnection;
}

/** The spec of a decorated class listed directly. Its name comes from the decorator or the class name. */
export function specOfClass(cls: unknown): ConnectionSpec {
  if (!isConnectionClass(cls)) {
    const label = typeof cls === 'function' ? `class ${cls.name}` : describe(cls);
    throw new ConnectionConfigError('*', 'connections', `${label} does not extend BaseConnection`);
  }
  const decorator = getConnectionMetadata(cls);
  const name = decorator.name ?? defaultConnectionName(cls.name);
  if (!isDecoratedConnection(cls)) {
    throw new ConnectionConfigError(name, undefined, `class ${cls.name} is listed but not decorated with @Connection()`);
  }
  for (const key of Object.keys(decorator)) {
    if (!DECORATOR_KEYS.has(key)) throw new ConnectionConfigError(name, key, `unknown @Connection() option on ${cls.name}`);
  }
  if (decorator.name !== undefined && typeof decorator.name !== 'string') {
    throw new ConnectionConfigError(String(decorator.name), 'name', `@Connection() name on ${cls.name} must be a string`);
  }
  if (decorator.options !== undefined && !isPlainObject(decorator.options)) {
    throw new ConnectionConfigError(name, 'options', `@Connection() options on ${cls.name} must be an object`);
  }
  checkSchema(name, `@Connection() on ${cls.name}: the`, decorator.schema);
  return { name, cls, typeLabel: cls.name, decorator, origin: 'class' };
}

/**
 * Resolves a type given by name. `types` holds every known name: the module layer passes the
 * built-ins (`sql`, `redis`) and the app's own `types` (which win), so this layer never imports
 * a driver's code.
 */
export function resolveType(
  name: string,
  type: unknown,
  types: Record<string, ConnectionClass> | undefined,
): { cls: ConnectionClass; label: string } {
  if (isConnectionClass(type)) return { cls: type, label: type.name };
  if (typeof type !== 'string' || type.length === 0) {
    throw new ConnectionConfigError(name, 'type', `must be a BaseConnection class or a type name (got ${describe(type)})`);
  }
  const cls = types && Object.hasOwn(types, type) ? types[type] : undefined;
  if (!cls) {
    const known = Object.keys(types ?? {});
    throw new ConnectionConfigError(name, 'type', `unknown type "${type}"; known types: ${known.join(', ') || '(none)'}`);
  }
  return { cls, label: type };
}

/** The spec of a declaration `{ name, type, options?, ...policies }`. */
export function specOfDeclaration(
  entry: ConnectionDeclaration,
  types: Record<string, ConnectionClass> | undefined,
): ConnectionSpec {
  if (!isPlainObject(entry)) {
    throw new ConnectionConfigError('*', 'connections', `an entry is ${describe(entry)}, not a class or { name, type }`);
  }
  const name = entry.name;
  if (typeof name !== 'string') {
    throw new ConnectionConfigError('*', 'name', `a declared connection needs a string name (got ${describe(name)})`);
  }
  for (const key of Object.keys(entry)) {
    if (!DECLARATION_KEYS.has(key)) throw new ConnectionConfigError(name, key, 'unknown key in the connection declaration');
  }
  if (entry.options !== undefined && !isPlainObject(entry.options)) {
    throw new ConnectionConfigError(name, 'options', `must be an object (got ${describe(entry.options)})`);
  }
  const { cls, label } = resolveType(name, entry.type, types);
  checkSchema(name, 'the declaration\'s', entry.schema);
  const decorator = getConnectionMetadata(cls);
  checkSchema(name, `@Connection() on ${cls.name}: the`, decorator.schema);
  const { name: _n, type: _t, options, schema, keyed, ...policy } = entry;
  return {
    name,
    cls,
    typeLabel: label,
    decorator,
    declared: { policy, options: options ?? {}, schema, keyed },
    origin: 'declaration',
  };
}

export function specOfEntry(entry: ConnectionEntry, types: Record<string, ConnectionClass> | undefined): ConnectionSpec {
  return typeof entry === 'function' ? specOfClass(entry) : specOfDeclaration(entry, types);
}

/**
 * The type a `[connections.<name>]` section registers under `fromSecrets`: its `type`, or, as in
 * Streamlit, the section's own name when that is a type name (`[connections.sql]`,
 * `[connections.redis]`); `undefined` when it registers nothing.
 */
export function sectionTypeOf(name: string, section: Record<string, unknown>, typeNames: ReadonlySet<string>): unknown {
  if (section.type !== undefined) return section.type;
  return typeNames.has(name) ? name : undefined;
}

/**
 * `fromSecrets`: every `[connections.<name>]` section with a `type` (or named after a type, see
 * `sectionTypeOf`) that no entry registers yet.
 */
export function specsFromSecrets(
  sections: SecretsSections,
  taken: ReadonlySet<string>,
  types: Record<string, ConnectionClass> | undefined,
): ConnectionSpec[] {
  const specs: ConnectionSpec[] = [];
  const typeNames = new Set(Object.keys(types ?? {}));
  for (const [name, section] of Object.entries(sections)) {
    const type = sectionTypeOf(name, section, typeNames);
    if (type === undefined || taken.has(name)) continue;
    const { cls, label } = resolveType(name, type, types);
    specs.push({ name, cls, typeLabel: label, decorator: getConnectionMetadata(cls), origin: 'secrets' });
  }
  return specs;
}
