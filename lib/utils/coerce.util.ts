import { OptionKeyError } from '../errors/option-key.error.js';
import { isPlainObject } from './object.util.js';

/** Which dotted option paths hold numbers and which booleans. */
export interface CoercedKeys {
  numbers?: readonly string[];
  booleans?: readonly string[];
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Environment variables arrive as strings (`CONNECTIONS__DB__POOL__MAX=10`): a copy of
 * `options` with the string values of the listed numeric and boolean keys turned into numbers
 * and booleans (`"true"`/`"false"`, `"1"`/`"0"`, `"yes"`/`"no"`). A string that is not one
 * fails with an `OptionKeyError` naming the key, never the value. Other values stay as they are.
 */
export function coerceOptionStrings<T extends object>(options: T, keys: CoercedKeys): T {
  if (!isPlainObject(options)) return options;
  let out = options as Record<string, unknown>;
  const apply = (path: string, convert: (text: string) => unknown) => {
    const parts = path.split('.');
    const value = parts.reduce<unknown>((here, key) => (isPlainObject(here) ? here[key] : undefined), out);
    if (typeof value !== 'string') return;
    out = setPath(out, parts, convert(value.trim()));
  };
  for (const path of keys.numbers ?? []) {
    apply(path, (text) => {
      if (!NUMBER.test(text)) throw new OptionKeyError(path, 'must be a number (it is a string that is not one)');
      return Number(text);
    });
  }
  for (const path of keys.booleans ?? []) {
    apply(path, (text) => {
      const lower = text.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return true;
      if (['false', '0', 'no', 'off', ''].includes(lower)) return false;
      throw new OptionKeyError(path, 'must be true or false');
    });
  }
  return out as T;
}

/** A copy of `root` with `value` at `path`; the objects along the path are copied, the rest shared. */
function setPath(root: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  const child = root[head];
  return { ...root, [head]: rest.length === 0 ? value : setPath(isPlainObject(child) ? child : {}, rest, value) };
}
