/**
 * A connection class may list the option keys it understands (dotted paths) under this static
 * symbol, so `CONNECTIONS__<NAME>__<KEY>` variables find their camel-case spelling
 * (`__CONNECT_TIMEOUT` or `__CONNECTTIMEOUT` -> `connectTimeout`) even when no other layer
 * sets that key yet. Internal: the built-in types use it.
 */
export const kOptionKeys = Symbol('nestjs-connections:option-keys');

/** `{ pool: { max: true } }` for `['pool.max']`: the shape the environment layer matches keys against. */
export function optionKeysShapeOf(cls: unknown): Record<string, unknown> | undefined {
  const paths = (cls as { [kOptionKeys]?: readonly string[] } | undefined)?.[kOptionKeys];
  if (!paths?.length) return undefined;
  const shape: Record<string, unknown> = {};
  for (const path of paths) {
    const parts = path.split('.');
    let here = shape;
    parts.forEach((part, index) => {
      if (index === parts.length - 1) here[part] ??= true;
      else here = (typeof here[part] === 'object' ? here[part] : (here[part] = {})) as Record<string, unknown>;
    });
  }
  return shape;
}
