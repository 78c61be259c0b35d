import { isPlainObject } from './object.util.js';

/** The mask that replaces every secret value. */
export const MASK = '***';

/** Keys whose values are secrets (M1): password, secret, token, key, credential, auth, cert... */
const SECRET_KEY = /pass|pwd|secret|token|key|credential|auth|cert|cookie|session|signature/i;
/** `scheme://user:password@host` -> the password part. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@\s]*)@/gi;
/** `?password=...` / `&token=...` in URLs and DSNs. */
const QUERY_SECRET = /([?&;\s](?:[a-z_]*(?:pass|pwd|secret|token|key|credential|auth)[a-z_]*)=)([^&;\s]*)/gi;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Masks credentials written inside URLs and DSNs of a text. */
export function maskUrls(text: string): string {
  return text.replace(URL_PASSWORD, `$1${MASK}@`).replace(QUERY_SECRET, `$1${MASK}`);
}

/**
 * Collects every secret value of an options object: values under secret-like keys,
 * and passwords inside URL strings. These are then masked wherever they appear in text.
 */
export function collectSecretValues(value: unknown, out = new Set<string>(), underSecretKey = false): Set<string> {
  if (value === null || value === undefined) return out;
  if (typeof value === 'string') {
    if (underSecretKey && value.length > 0) {
      out.add(value);
    }
    for (const match of value.matchAll(URL_PASSWORD)) {
      if (match[2]) {
        out.add(match[2]);
        try {
          out.add(decodeURIComponent(match[2]));
        } catch {
          // not percent-encoded: the raw form is already collected
        }
      }
    }
    return out;
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (underSecretKey) out.add(String(value));
    return out;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectSecretValues(item, out, underSecretKey);
    return out;
  }
  // Only plain objects are options: a class instance (a drizzle table, an entity class) may be
  // cyclic, and what it holds is code, not configuration.
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      collectSecretValues(item, out, underSecretKey || isSecretKey(key));
    }
  }
  return out;
}

/** Replaces every known secret value, and every URL credential, in a text. */
export function maskText(text: string, secrets: Iterable<string> = []): string {
  let masked = text;
  const ordered = [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  for (const secret of ordered) {
    masked = masked.split(secret).join(MASK);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) masked = masked.split(encoded).join(MASK);
  }
  return maskUrls(masked);
}

/** The message of any thrown value, masked. */
export function maskError(error: unknown, secrets: Iterable<string> = []): string {
  const message =
    error instanceof Error
      ? error.message || error.name
      : typeof error === 'string'
        ? error
        : (() => {
            try {
              return JSON.stringify(error) ?? String(error);
            } catch {
              return String(error);
            }
          })();
  return maskText(message, secrets);
}

/** A deep copy of an options object with secret values masked, for display. */
export function maskOptions(value: unknown, underSecretKey = false): unknown {
  if (value === null || value === undefined) return value;
  if (underSecretKey && (typeof value === 'string' || typeof value === 'number')) return MASK;
  if (typeof value === 'string') return maskUrls(value);
  if (Array.isArray(value)) return value.map((item) => maskOptions(item, underSecretKey));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = maskOptions(item, underSecretKey || isSecretKey(key));
    }
    return out;
  }
  // Functions and class instances (drizzle tables, entity classes) are code, never shown.
  if (typeof value === 'object' || typeof value === 'function') return `[${describeObject(value)}]`;
  return value;
}

function describeObject(value: object): string {
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'function';
  return value.constructor?.name || 'object';
}
