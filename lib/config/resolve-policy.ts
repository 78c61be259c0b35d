import { describe } from '../utils/describe.util.js';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import { DEFAULT_POLICY, type ResolvedPolicy } from '../core/connect-policy.js';
import type { ConnectionPolicyOptions } from '../interfaces/connection-policy.interface.js';
import { parseDuration } from '../utils/duration.util.js';
import { isPlainObject } from '../utils/object.util.js';

/** Policy keys, as written in code; secrets and environment may spell them in snake_case. */
export const POLICY_KEYS = [
  'ttl',
  'refreshAhead',
  'eager',
  'retry',
  'drainTimeout',
  'connectTimeout',
  'circuitBreaker',
  'slowConnectThreshold',
] as const satisfies readonly (keyof ConnectionPolicyOptions)[];

const CANONICAL: ReadonlySet<string> = new Set(POLICY_KEYS);
const BY_FOLDED = new Map<string, (typeof POLICY_KEYS)[number]>(POLICY_KEYS.map((key) => [fold(key), key]));

function fold(key: string): string {
  return key.replace(/_/g, '').toLowerCase();
}

/** The policy key a secrets/env key spells (`drain_timeout` -> `drainTimeout`), if any. */
export function policyKeyOf(key: string): (typeof POLICY_KEYS)[number] | undefined {
  return CANONICAL.has(key) ? (key as (typeof POLICY_KEYS)[number]) : BY_FOLDED.get(fold(key));
}

/**
 * Splits a secrets or environment section into policy keys and `_connect` options.
 * `type` names the connection type and is not an option either.
 */
export function splitSection(section: Record<string, unknown> | undefined): {
  policy: ConnectionPolicyOptions;
  options: Record<string, unknown>;
} {
  const policy: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section ?? {})) {
    const policyKey = policyKeyOf(key);
    if (policyKey) policy[policyKey] = value;
    else if (key !== 'type') options[key] = value;
  }
  return { policy: policy as ConnectionPolicyOptions, options };
}

const DEFAULTS = DEFAULT_POLICY;

/**
 * Validates and merges policy layers (module defaults < decorator < secrets < env <
 * declaration). Every bad value fails with an error naming the connection and the key; the
 * value itself is never echoed, since a misplaced secret could be in it.
 */
export function resolvePolicy(name: string, layers: Array<ConnectionPolicyOptions | undefined>): ResolvedPolicy {
  // Most connections set no policy at all: they share one frozen default.
  if (layers.every((layer) => !layer || Object.values(layer).every((value) => value === undefined))) return DEFAULTS;
  const out: ResolvedPolicy = { ...DEFAULTS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [rawKey, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const key = policyKeyOf(rawKey);
      switch (key) {
        case 'ttl':
          out.ttlMs = value === null ? null : duration(name, 'ttl', value, true);
          break;
        case 'refreshAhead':
          out.refreshAheadMs = value === null ? null : duration(name, 'refreshAhead', value, true);
          break;
        case 'eager':
          out.eager = bool(name, 'eager', value);
          break;
        case 'retry':
          Object.assign(out, retryOf(name, value));
          break;
        case 'drainTimeout':
          out.drainTimeoutMs = duration(name, 'drainTimeout', value, false);
          break;
        case 'connectTimeout':
          out.connectTimeoutMs = value === null ? null : duration(name, 'connectTimeout', value, true);
          break;
        case 'circuitBreaker':
          out.breaker = value === null ? null : breakerOf(name, value);
          break;
        case 'slowConnectThreshold':
          out.slowConnectMs = duration(name, 'slowConnectThreshold', value, false);
          break;
        default:
          throw new ConnectionConfigError(name, rawKey, 'unknown policy key');
      }
    }
  }
  checkRefreshAhead(name, out);
  return out;
}

/** `refreshAhead` is a lead time before the ttl ends: without a ttl, or not shorter than it, it means nothing. */
function checkRefreshAhead(name: string, policy: ResolvedPolicy): void {
  const ahead = policy.refreshAheadMs;
  if (ahead === null) return;
  if (policy.ttlMs === null) {
    throw new ConnectionConfigError(name, 'refreshAhead', 'needs a ttl: it is how long before the ttl ends the replacement connects');
  }
  if (ahead >= policy.ttlMs) {
    throw new ConnectionConfigError(
      name,
      'refreshAhead',
      `must be less than ttl (${policy.ttlMs} ms): it is how long before the ttl ends the replacement connects (got ${ahead} ms)`,
    );
  }
}

function duration(name: string, key: string, value: unknown, positive: boolean): number {
  const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
  if (ms === undefined || (positive && ms === 0)) {
    throw new ConnectionConfigError(
      name,
      key,
      `must be a ${positive ? 'positive ' : ''}duration: milliseconds, or a string such as "500ms", "30s", "15m", "1h" (got ${describe(value)})`,
    );
  }
  return ms;
}

function bool(name: string, key: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConnectionConfigError(name, key, `must be true or false (got ${describe(value)})`);
}

function int(name: string, key: string, value: unknown, min: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > 1_000) {
    throw new ConnectionConfigError(name, key, `must be a whole number from ${min} to 1000 (got ${describe(value)})`);
  }
  return n;
}

function retryOf(name: string, value: unknown): Partial<ResolvedPolicy> {
  if (!isPlainObject(value)) return { attempts: int(name, 'retry', value, 1) };
  const out: Partial<ResolvedPolicy> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    switch (fold(key)) {
      case 'attempts':
        out.attempts = int(name, 'retry.attempts', item, 1);
        break;
      case 'initialdelay':
        out.initialDelayMs = duration(name, 'retry.initialDelay', item, false);
        break;
      case 'maxdelay':
        out.maxDelayMs = duration(name, 'retry.maxDelay', item, false);
        break;
      default:
        throw new ConnectionConfigError(name, `retry.${key}`, 'unknown key; use attempts, initialDelay, maxDelay');
    }
  }
  return out;
}

function breakerOf(name: string, value: unknown): ResolvedPolicy['breaker'] {
  if (!isPlainObject(value)) {
    throw new ConnectionConfigError(name, 'circuitBreaker', `must be a table { threshold, halfOpenAfter } (got ${describe(value)})`);
  }
  let threshold: number | undefined;
  let halfOpenAfterMs: number | undefined;
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    switch (fold(key)) {
      case 'threshold':
        threshold = int(name, 'circuitBreaker.threshold', item, 1);
        break;
      case 'halfopenafter':
        halfOpenAfterMs = duration(name, 'circuitBreaker.halfOpenAfter', item, true);
        break;
      default:
        throw new ConnectionConfigError(name, `circuitBreaker.${key}`, 'unknown key; use threshold, halfOpenAfter');
    }
  }
  if (threshold === undefined) throw new ConnectionConfigError(name, 'circuitBreaker.threshold', 'is required');
  if (halfOpenAfterMs === undefined) throw new ConnectionConfigError(name, 'circuitBreaker.halfOpenAfter', 'is required');
  return { threshold, halfOpenAfterMs };
}

