import type { ConnectionBinding } from './connection-binding.js';
import { OptionKeyError } from '../errors/option-key.error.js';
import type { FunctionOptionKind, OptionFunctionContext } from '../interfaces/option-value.interface.js';
import { collectSecretValues, maskError } from '../utils/mask.util.js';
import { clonePlain, mergeLayers } from '../utils/object.util.js';
import type { ConnectContext } from '../interfaces/use-options.interface.js';

/** `static functionOptions` of a connection class: how `_connect` takes the function values of those keys. */
export type FunctionOptions = Readonly<Record<string, FunctionOptionKind>>;

const NONE: FunctionOptions = Object.freeze({});

/**
 * How many values that functions returned stay masked per binding besides its static secrets:
 * enough for every instance that can still be draining (a token per refresh, a password per
 * physical connection), bounded so that a process rotating for months does not grow.
 */
const REMEMBERED = 64;

/** The static secret values of each binding, and the values its functions returned lately. */
const returned = new WeakMap<ConnectionBinding, { base: ReadonlySet<string>; recent: string[] }>();

/** The `functionOptions` a connection's class declares (inherited like any static). */
export function functionOptionsOf(connection: object): FunctionOptions {
  return (connection.constructor as { functionOptions?: FunctionOptions }).functionOptions ?? NONE;
}

/**
 * Calls `open` with `options` (a copy the caller owns) in which every top-level function value
 * has been replaced by what it returned, except the keys the class declares in `kinds`: a
 * `callback` stays as it is, a `provider` becomes a function that calls it (see
 * `FunctionOptionKind`). Functions nested deeper (knex's `pool.afterCreate`) are left alone:
 * they are driver hooks, not values.
 *
 * Without function values `open` runs synchronously, as before. Functions run concurrently;
 * one that throws fails this connect with an `OptionKeyError` naming its key (masked, the
 * original as `cause`), which the connector retries like any connect failure and reports as a
 * `ConnectError` with that `key`. What they return is added to the binding's secret values.
 */
export function withOptionValues<R>(
  binding: ConnectionBinding,
  kinds: FunctionOptions,
  options: Record<string, unknown>,
  context: OptionFunctionContext,
  open: (options: Record<string, unknown>) => R,
): R | Promise<Awaited<R>> {
  let pending: Promise<void>[] | null = null;
  for (const [key, value] of Object.entries(options)) {
    if (typeof value !== 'function') continue;
    const kind = Object.hasOwn(kinds, key) ? kinds[key] : undefined;
    if (kind === 'callback') continue;
    const fn = value as (context: OptionFunctionContext) => unknown;
    if (kind === 'provider') {
      options[key] = () => Promise.resolve().then(() => call(binding, key, fn, context));
      continue;
    }
    const result = call(binding, key, fn, context);
    if (isThenable(result)) {
      (pending ??= []).push(
        Promise.resolve(result).then((resolved) => {
          options[key] = resolved;
        }),
      );
    } else {
      options[key] = result;
    }
  }
  if (!pending) return open(options);
  return Promise.all(pending).then(() => open(options)) as Promise<Awaited<R>>;
}

/** One call of a function option: its result remembered as a secret, a throw named after the key. */
function call(binding: ConnectionBinding, key: string, fn: (context: OptionFunctionContext) => unknown, context: OptionFunctionContext): unknown {
  let result: unknown;
  try {
    result = fn(context);
  } catch (err) {
    throw threw(binding, key, err);
  }
  if (!isThenable(result)) return remember(binding, key, result);
  return Promise.resolve(result).then(
    (resolved) => remember(binding, key, resolved),
    (err: unknown) => {
      throw threw(binding, key, err);
    },
  );
}

function threw(binding: ConnectionBinding, key: string, err: unknown): OptionKeyError {
  return new OptionKeyError(key, `(a function option) threw: ${maskError(err, binding.secretValues)}`, { cause: err });
}

/**
 * Masks what a function returned from now on, like the static secrets (M1): the value of a
 * secret-like key, a password inside a URL. `binding.secretValues` is replaced, never mutated:
 * bindings without secrets share one empty set.
 */
function remember<T>(binding: ConnectionBinding, key: string, value: T): T {
  const found = collectSecretValues({ [key]: value });
  if (found.size === 0) return value;
  let entry = returned.get(binding);
  if (!entry) returned.set(binding, (entry = { base: binding.secretValues, recent: [] }));
  for (const secret of found) {
    const at = entry.recent.indexOf(secret);
    if (at >= 0) entry.recent.splice(at, 1);
    entry.recent.push(secret);
  }
  if (entry.recent.length > REMEMBERED) entry.recent.splice(0, entry.recent.length - REMEMBERED);
  binding.secretValues = new Set([...entry.base, ...entry.recent]);
  return value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** `_connect` with its own copy of `options`, their function values called first (see `withOptionValues`). */
export function openWithOptions<O, R>(
  binding: ConnectionBinding,
  kinds: FunctionOptions,
  options: O,
  context: ConnectContext,
  connect: (options: O, context: ConnectContext) => R,
): R | Promise<Awaited<R>> {
  return withOptionValues(binding, kinds, clonePlain(options) as Record<string, unknown>, { name: binding.name, ...context }, (values) =>
    connect(values as O, context),
  );
}

/**
 * A keyed connection's `_connect` for one key (K4): the connection's merged options, then the
 * key's `[connections.<name>.keys.<key>]` table, then `_optionsFor(key, options)` (may be async).
 */
export function openKey<O, R>(
  binding: ConnectionBinding,
  kinds: FunctionOptions,
  key: string,
  context: ConnectContext,
  optionsFor: (key: string, options: O) => O | Promise<O>,
  connect: (options: O, context: ConnectContext) => R,
): R | Promise<Awaited<R>> {
  const keyTable = binding.keyed?.keyOptions[key];
  const merged = (keyTable ? mergeLayers(binding.options, keyTable) : clonePlain(binding.options)) as O;
  const options = optionsFor(key, merged);
  const keyed = { ...context, key };
  if (typeof (options as PromiseLike<O> | null)?.then === 'function') {
    return Promise.resolve(options).then((resolved) => openWithOptions(binding, kinds, resolved, keyed, connect)) as Promise<Awaited<R>>;
  }
  return openWithOptions(binding, kinds, options as O, keyed, connect);
}
