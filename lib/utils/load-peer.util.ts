import { MissingPeerError } from '../errors/missing-peer.error.js';

/** How a peer is imported; `import()` itself, replaceable where a test must see a missing package. */
export type PeerImporter = (specifier: string) => Promise<unknown>;

const nativeImport: PeerImporter = (specifier) => import(specifier);

/**
 * Loads an optional peer with a dynamic `import()`, so that an app that never uses a driver
 * never needs it installed. "Not installed" (this very package cannot be resolved) becomes a
 * `MissingPeerError`; any other failure (a broken install, a native addon built for another
 * Node) is rethrown unchanged, because installing the package again would not be the fix.
 */
export async function loadPeer<T>(
  packageName: string,
  connectionName: string,
  neededFor: string,
  importer: PeerImporter = nativeImport,
): Promise<T> {
  try {
    return (await importer(packageName)) as T;
  } catch (err) {
    if (isNotFound(err, packageName)) throw new MissingPeerError(connectionName, packageName, neededFor, err);
    throw err;
  }
}

function isNotFound(err: unknown, packageName: string): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // Node says "Cannot find package 'pg' imported from ...": only this package, not one of its own imports.
  return typeof message === 'string' && (message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`));
}

/** The callable export of a CommonJS or ESM module namespace (`knex`, for one). */
export function defaultExport<T>(namespace: unknown): T {
  const ns = namespace as { default?: unknown };
  return (ns.default ?? namespace) as T;
}
