import { readFile } from 'node:fs/promises';
import { parse } from 'smol-toml';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import { isPlainObject } from '../utils/object.util.js';
import { CLUSTER_KEY_ENV } from './cluster.constants.js';
import { checkKey } from './cluster-options.js';

/** Where the key may come from: what `loadConfig` already worked out for the secrets. */
export interface KeySources {
  /** The `cluster.key` option. */
  option: string | undefined;
  /** The environment the module reads (`null` when `secrets.env` is false). */
  env: Record<string, string | undefined> | null;
  /** The secrets files the module reads. */
  files: { path: string; required: boolean }[];
}

/**
 * The cluster's HMAC key. One rule, the same order as connection options (S1), first found
 * wins: the `cluster.key` option, then `CONNECTIONS_CLUSTER_KEY`, then `[cluster] key` of the
 * secrets files (the last file that has one). Without a key the cluster refuses to start
 * unless `insecure: true`. No message here ever contains the key.
 */
export async function resolveClusterKey(sources: KeySources, insecure: boolean): Promise<string | null> {
  if (sources.option !== undefined) {
    checkKey(sources.option, 'cluster.key option');
    return sources.option;
  }
  const fromEnv = sources.env?.[CLUSTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    checkKey(fromEnv, `${CLUSTER_KEY_ENV} variable`);
    return fromEnv;
  }
  const fromFiles = await keyFromFiles(sources.files);
  if (fromFiles !== undefined) {
    checkKey(fromFiles.key, `[cluster] section of ${fromFiles.path}`);
    return fromFiles.key;
  }
  if (insecure) return null;
  throw new ConnectionConfigError(
    '*',
    'cluster.key',
    `a cluster needs a shared key to sign its messages: set cluster.key, the ${CLUSTER_KEY_ENV} variable, ` +
      'or key in a [cluster] section of secrets.toml (or insecure: true, never in production)',
  );
}

async function keyFromFiles(files: KeySources['files']): Promise<{ key: unknown; path: string } | undefined> {
  let found: { key: unknown; path: string } | undefined;
  for (const { path } of files) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      continue; // missing or unreadable files were already reported by loadConfig when required
    }
    let doc: Record<string, unknown>;
    try {
      doc = parse(text) as Record<string, unknown>;
    } catch {
      continue; // loadConfig reported the syntax error already (with its line, never the text)
    }
    const section = doc.cluster;
    if (isPlainObject(section) && section.key !== undefined) found = { key: section.key, path };
  }
  return found;
}
