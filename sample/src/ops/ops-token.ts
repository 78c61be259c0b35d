import { randomBytes } from 'node:crypto';

/** Injection token of the ops API's bearer token. */
export const OPS_TOKEN = Symbol('OPS_TOKEN');

export interface OpsToken {
  value: string;
  /** True when no ADMIN_TOKEN was set and this one was made up at start (main.ts prints it). */
  generated: boolean;
}

export function opsTokenFromEnv(env: NodeJS.ProcessEnv = process.env): OpsToken {
  const fromEnv = env.ADMIN_TOKEN?.trim();
  if (fromEnv) return { value: fromEnv, generated: false };
  return { value: randomBytes(24).toString('base64url'), generated: true };
}

/**
 * The sample's one admin token, read (or made up) once when the app is loaded: the ops API and
 * the library's admin API both check it.
 */
export const SAMPLE_TOKEN: OpsToken = opsTokenFromEnv();
