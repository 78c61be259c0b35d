import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, relative, sep } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import { FORBIDDEN_KEYS, findForbiddenKey, isPlainObject, mergeLayers } from '../utils/object.util.js';
import type { SecretsFile, SecretsLimits } from './secrets-options.js';
import { findTooDeep } from './toml-depth.js';

/** The `[connections.<name>]` sections of all secrets files, merged (later files win key by key). */
export type SecretsSections = Record<string, Record<string, unknown>>;

/** What a file held when it was read: nothing (no file), only whitespace, or some text. */
export type SecretsFileState = 'missing' | 'empty' | 'content';

/** A file's content as the watcher compares it: a hash, `missing`, or why it could not be read. */
export type Fingerprint = string;

export function fingerprintOf(bytes: Uint8Array | null): Fingerprint {
  return bytes === null ? 'missing' : createHash('sha256').update(bytes).digest('hex');
}

/** The secrets files as read at one moment. */
export interface SecretsSnapshot {
  sections: SecretsSections;
  /** Per connection name, the files (as `displayPath` shows them) whose `[connections.<name>]` it has, in reading order. */
  origins: Record<string, string[]>;
  /** Per file path, what it held. */
  states: Record<string, SecretsFileState>;
  /** Per file path, its content's fingerprint (where the watcher starts from). */
  fingerprints: Record<string, Fingerprint>;
}

/** A path as `info().source` shows it: relative to the working directory when inside it, `~/...` in the home directory. */
export function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  if (fromCwd && !fromCwd.startsWith('..') && !isAbsolute(fromCwd)) return fromCwd;
  const home = homedir();
  if (path.startsWith(home + sep)) return `~${sep}${relative(home, path)}`;
  return path;
}

/**
 * Parses one TOML text into its `connections` sections, within the depth limit (checked before
 * parsing: see `findTooDeep`). A syntax error names the file, line and column and never the text
 * around it: that text may hold a password (M1).
 */
export function parseSecrets(text: string, file: string, maxDepth: number): SecretsSections {
  const tooDeep = findTooDeep(text, maxDepth);
  if (tooDeep) {
    throw new ConnectionConfigError(
      '*',
      'secrets',
      `${file} at line ${tooDeep.line}: tables and arrays nest at least ${tooDeep.depth} levels deep, over the limit of ${maxDepth} (secrets.maxDepth)`,
    );
  }
  let doc: Record<string, unknown>;
  try {
    doc = parse(text, { maxDepth }) as Record<string, unknown>;
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

/** Secrets files must be UTF-8 (as TOML requires): a stray byte would otherwise turn silently into U+FFFD inside a password. */
function decodeUtf8(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConnectionConfigError('*', 'secrets', `${path} is not valid UTF-8`);
  }
}

function tooLarge(path: string, maxFileBytes: number): ConnectionConfigError {
  return new ConnectionConfigError('*', 'secrets', `${path} is larger than ${maxFileBytes} bytes (secrets.maxFileBytes); not read`);
}

function unreadable(path: string, err: unknown): ConnectionConfigError {
  return new ConnectionConfigError('*', 'secrets.files', `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
}

/** Every missing listed file in one error (Streamlit lists every path it looked at, too). */
function missing(paths: string[]): ConnectionConfigError {
  return new ConnectionConfigError(
    '*',
    'secrets.files',
    paths.length === 1 ? `secrets file ${paths[0]} does not exist` : `${paths.length} secrets files do not exist: ${paths.join(', ')}`,
  );
}

const CHUNK = 64 * 1024;

/**
 * A file's bytes, never more than `max` of them: the size is checked as it is read, so a file
 * that grows meanwhile (or a FIFO, or /dev/zero) cannot make us read without end. `null`: no file.
 */
async function readBounded(path: string, max: number): Promise<Uint8Array | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw unreadable(path, err);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, max + 1 - total));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > max) throw tooLarge(path, max);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof ConnectionConfigError) throw err;
    throw unreadable(path, err);
  } finally {
    await handle.close();
  }
}

function readBoundedSync(path: string, max: number): Uint8Array | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw unreadable(path, err);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, max + 1 - total));
      const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > max) throw tooLarge(path, max);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof ConnectionConfigError) throw err;
    throw unreadable(path, err);
  } finally {
    closeSync(fd);
  }
}

/** Parses and merges what was read (S2): every missing listed file is reported at once. */
function snapshotOf(files: SecretsFile[], read: Array<Uint8Array | null>, limits: SecretsLimits): SecretsSnapshot {
  const absent = files.filter((file, index) => file.required && read[index] === null).map((file) => file.path);
  if (absent.length) throw missing(absent);
  // No prototype: a connection named "constructor" must not find Object's.
  const sections: SecretsSections = Object.create(null);
  const origins: Record<string, string[]> = Object.create(null);
  const states: Record<string, SecretsFileState> = Object.create(null);
  const fingerprints: Record<string, Fingerprint> = Object.create(null);
  files.forEach(({ path }, index) => {
    const bytes = read[index];
    fingerprints[path] = fingerprintOf(bytes);
    if (bytes === null) {
      states[path] = 'missing';
      return;
    }
    const text = decodeUtf8(bytes, path);
    states[path] = text.trim() === '' ? 'empty' : 'content';
    for (const [name, section] of Object.entries(parseSecrets(text, path, limits.maxDepth))) {
      sections[name] = mergeLayers(sections[name], section);
      (origins[name] ??= []).push(displayPath(path));
    }
  });
  return { sections, origins, states, fingerprints };
}

/** Reads and merges the secrets files (S2), within the limits. */
export async function readSecretsFiles(files: SecretsFile[], limits: SecretsLimits): Promise<SecretsSnapshot> {
  const read: Array<Uint8Array | null> = [];
  for (const { path } of files) read.push(await readBounded(path, limits.maxFileBytes));
  return snapshotOf(files, read, limits);
}

/** The same, synchronously, for `forRoot({ fromSecrets: true })` to learn the names it registers. */
export function readSecretsFilesSync(files: SecretsFile[], limits: SecretsLimits): SecretsSnapshot {
  return snapshotOf(
    files,
    files.map(({ path }) => readBoundedSync(path, limits.maxFileBytes)),
    limits,
  );
}
