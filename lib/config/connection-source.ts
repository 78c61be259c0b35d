import { aboutOf, type ConnectionAbout } from '../core/connection-binding.js';
import type { ConnectionConfigStatus } from '../interfaces/connection-info.interface.js';

/** `info().config` of options that were just bound. */
export function currentStatus(at: Date = new Date()): ConnectionConfigStatus {
  return Object.freeze({ status: 'current', at: at.toISOString(), error: null });
}

/**
 * `info().source`: `'code'`, or the files and section the options came from
 * (`'secrets.toml [connections.notes]'`), with `' + environment'` when variables add to it.
 */
export function sourceLabel(name: string, files: readonly string[] | undefined, fromEnv: boolean): string {
  const env = fromEnv ? 'environment' : '';
  if (!files?.length) return env || 'code';
  const section = `${files.join(', ')} [connections.${name}]`;
  return env ? `${section} + ${env}` : section;
}

/** Most connections of a large app are configured in code: they share one `about` per load. */
const codeAbouts = new WeakMap<ConnectionConfigStatus, ConnectionAbout>();

export function aboutOfBinding(
  name: string,
  fromFiles: boolean,
  fromEnv: boolean,
  ctx: { origins?: Record<string, readonly string[]>; status?: ConnectionConfigStatus },
  dialect: string | undefined,
): ConnectionAbout {
  const status = ctx.status ?? currentStatus();
  const files = fromFiles ? (ctx.origins?.[name] ?? ['secrets']) : undefined;
  const source = sourceLabel(name, files, fromEnv);
  if (source !== 'code' || dialect !== undefined) return aboutOf(source, dialect, status);
  let shared = codeAbouts.get(status);
  if (!shared) codeAbouts.set(status, (shared = aboutOf(source, undefined, status)));
  return shared;
}
