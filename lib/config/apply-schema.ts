import type { ConnectionBinding } from '../core/connection-binding.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import type { StandardSchemaV1 } from '../interfaces/standard-schema.interface.js';
import { describe } from '../utils/describe.util.js';
import { collectSecretValues, maskError } from '../utils/mask.util.js';
import { isPlainObject } from '../utils/object.util.js';
import type { ConnectionSpec } from './connection-spec.js';

/** Whether `value` implements Standard Schema v1 (`~standard.version === 1` and a `validate` function). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as { '~standard'?: unknown })['~standard'];
  return isPlainObjectLike(props) && props.version === 1 && typeof props.validate === 'function';
}

function isPlainObjectLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Refuses a `schema` that is not a Standard Schema v1 validator (S4), naming the connection and where it was set. */
export function checkSchema(name: string, where: string, schema: unknown): void {
  if (schema !== undefined && !isStandardSchema(schema)) {
    throw new ConnectionConfigError(
      name,
      'schema',
      `${where} schema is ${describe(schema)}, not a Standard Schema v1 validator (zod 4, valibot, arktype...)`,
    );
  }
}

/** The schemas a connection's options go through: the declaration's, then the class's own. */
export function schemasOf(spec: ConnectionSpec): StandardSchemaV1[] {
  return [spec.declared?.schema, spec.decorator.schema].filter((s): s is StandardSchemaV1 => s !== undefined);
}

/**
 * Runs the merged options through the connection's schemas (awaiting async ones) and returns
 * the binding with their output as `options`. An issue becomes a `ConnectionConfigError` whose
 * `key` is the dotted path of the first issue; the messages never carry a value: the value at
 * the issue's path and every secret are masked out of the validator's text.
 */
export async function applySchemas(spec: ConnectionSpec, binding: ConnectionBinding): Promise<ConnectionBinding> {
  const schemas = schemasOf(spec);
  if (schemas.length === 0) return binding;
  let value: unknown = binding.options;
  for (const schema of schemas) {
    let result: StandardSchemaV1.Result<unknown>;
    try {
      result = await schema['~standard'].validate(value);
    } catch (err) {
      throw new ConnectionConfigError(binding.name, 'schema', `the schema threw: ${maskError(err, binding.secretValues)}`);
    }
    if (!result || typeof result !== 'object') {
      throw new ConnectionConfigError(binding.name, 'schema', `the schema returned ${describe(result)}, not a Standard Schema result`);
    }
    if (result.issues) throw issuesError(binding, value, result.issues);
    value = result.value;
  }
  if (!isPlainObject(value)) {
    throw new ConnectionConfigError(binding.name, 'schema', `the schema's output is ${describe(value)}, not an options object`);
  }
  const secretValues = new Set([...binding.secretValues, ...collectSecretValues(value)]);
  return { ...binding, options: value, secretValues };
}

function pathOf(issue: StandardSchemaV1.Issue): PropertyKey[] {
  return (issue.path ?? []).map((segment) => (typeof segment === 'object' && segment !== null ? segment.key : segment));
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let here = root;
  for (const key of path) {
    if (typeof here !== 'object' || here === null) return undefined;
    here = (here as Record<PropertyKey, unknown>)[key];
  }
  return here;
}

/** A validator's message with the offending value (as it may quote it) and every secret taken out (M1). */
function cleanMessage(message: string, offending: unknown, secrets: ReadonlySet<string>): string {
  let text = String(message);
  if (offending !== undefined && offending !== null && typeof offending !== 'object' && typeof offending !== 'function') {
    const raw = String(offending);
    // Quoted forms always; the bare value only when long enough not to hit ordinary words.
    const forms = [JSON.stringify(raw), `'${raw}'`, ...(raw.length >= 3 ? [raw] : [])];
    for (const form of forms) text = text.split(form).join('(value hidden)');
  }
  return maskError(text, secrets);
}

function issuesError(binding: ConnectionBinding, input: unknown, issues: ReadonlyArray<StandardSchemaV1.Issue>): ConnectionConfigError {
  const described = issues.map((issue) => {
    const path = pathOf(issue);
    return { key: path.length ? path.map(String).join('.') : undefined, text: cleanMessage(issue.message, valueAt(input, path), binding.secretValues) };
  });
  const [first, ...rest] = described;
  const more = rest.length ? `; also ${rest.map((d) => `${d.key ?? '(options)'}: ${d.text}`).join('; ')}` : '';
  return new ConnectionConfigError(binding.name, first?.key ?? 'options', `${first?.text ?? 'invalid options'} (schema)${more}`);
}
