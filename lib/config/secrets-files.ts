import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { DEFAULT_SECRETS_FILE } from '../core/connections.constants.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import type { SecretsOptions } from '../core/connections-module-options.interface.js';
import { FORBIDDEN_KEYS, findForbiddenKey, isPlainObject, mergeLayers } from '../utils/object.util.js';

/** The `[connections.<name>]` sections of all secrets files, merged (later files win key by key). */
export type SecretsSections = Record<string, Record<string, unknown>>;

/**
 * Which files to read: the listed ones (each must exist), or `secrets.toml` in the working
 * directory when it is there (S2).
 */
export function secretsFilesOf(secrets: false | SecretsOptions | undefined): { path: string; required: boolean }[] {
  if (secrets === false) return [];
  if (secrets?.files) return secrets.files.map((file) => ({ path: resolve(file), required: true }));
  return [{ path: resolve(DEFAULT_SECRETS_FILE), required: false }];
}

/**
 * Parses one TOML text into its `connections` sections. A syntax error names the file, line
 * and column and never the text around it: that text may hold a password (M1).
 */
export function parseSecrets(text: string, file: string): SecretsSections {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const what = err.message.split('\n')[0].replace(/^Invalid TOML document:\s*/, '');
      const safeWhat = /["'`]/.test(what) ? 'syntax error' : what;
      throw new ConnectionConfigError('*', 'secrets', `malformed TOML in ${file} at line ${err.line}, column ${err.column}: ${safeWhat}`);
    }
    throw new ConnectionConfigError('*', 'secrets', `cannot parse ${file}`);
  }
  const connections = doc.connections;
  if (connections === undefined) return {};
  if (!isPlainObject(connections)) {
    throw new ConnectionConfigError('*', 'connections', `in ${file}, "connections" must be a table of [connections.<name>] sections`);
  }
  const sections: SecretsSections = Object.create(null);
  for (const [name, section] of Object.entries(connections)) {
    if (FORBIDDEN_KEYS.has(name)) {
      throw new ConnectionConfigError(name, 'connections', `in ${file}, [connections.${name}] is not an allowed connection name`);
    }
    if (!isPlainObject(section)) {
      throw new ConnectionConfigError(name, undefined, `in ${file}, [connections.${name}] must be a table`);
    }
    const forbidden = findForbiddenKey(section);
    if (forbidden) throw new ConnectionConfigError(name, forbidden, `in ${file}, this key name is not allowed`);
    sections[name] = section;
  }
  return sections;
}

function mergeSections(all: SecretsSections[]): SecretsSections {
  // No prototype: a connection named "constructor" must not find Object's.
  const merged: SecretsSections = Object.create(null);
  for (const sections of all) {
    for (const [name, section] of Object.entries(sections)) {
      merged[name] = mergeLayers(merged[name], section);
    }
  }
  return merged;
}

/** Secrets files must be UTF-8 (as TOML requires): a stray byte would otherwise turn silently into U+FFFD inside a password. */
function decodeUtf8(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConnectionConfigError('*', 'secrets', `${path} is not valid UTF-8`);
  }
}

function missing(path: string): ConnectionConfigError {
  return new ConnectionConfigError('*', 'secrets.files', `secrets file ${path} does not exist`);
}

/** Reads and merges the secrets files (S2). */
export async function loadSecretsFiles(files: { path: string; required: boolean }[]): Promise<SecretsSections> {
  const parsed: SecretsSections[] = [];
  for (const { path, required } of files) {
    let text: string;
    try {
      text = decodeUtf8(await readFile(path), path);
    } catch (err) {
      if (err instanceof ConnectionConfigError) throw err;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !required) continue;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing(path);
      throw new ConnectionConfigError('*', 'secrets.files', `cannot read ${path} (${(err as NodeJS.ErrnoException).code})`);
    }
    parsed.push(parseSecrets(text, path));
  }
  return mergeSections(parsed);
}

/** The same, synchronously, for `forRoot({ fromSecrets: true })` to learn the names it registers. */
export function loadSecretsFilesSync(files: { path: string; required: boolean }[]): SecretsSections {
  const parsed: SecretsSections[] = [];
  for (const { path, required } of files) {
    if (!existsSync(path)) {
      if (required) throw missing(path);
      continue;
    }
    parsed.push(parseSecrets(decodeUtf8(readFileSync(path), path), path));
  }
  return mergeSections(parsed);
}
