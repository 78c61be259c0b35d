import type { Duration } from '../interfaces/connection-policy.interface.js';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** The longest delay a Node timer can wait (about 24.8 days); longer durations are refused, not wrapped. */
const MAX_MS = 2_147_483_647;
const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;

/**
 * Parses a duration (`250`, `'500ms'`, `'30s'`, `'15m'`, `'1h'`, `'1d'`) into milliseconds.
 * Returns `undefined` for anything else, so the caller can name the bad key.
 * A small strict parser rather than `ms`: that package also accepts prose ("2 days") and
 * answers `undefined` silently, and we want one unambiguous grammar in secrets files.
 */
export function parseDuration(value: Duration): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 && value <= MAX_MS ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const match = PATTERN.exec(value.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNITS[match[2] ?? 'ms'];
  return Number.isFinite(ms) && ms <= MAX_MS ? Math.round(ms) : undefined;
}
