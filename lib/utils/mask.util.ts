import { isSecretKey } from './secret-key.util.js';

export { isSecretKey } from './secret-key.util.js';

/** The mask that replaces every secret value. */
export const MASK = '***';

/**
 * Masking (M1). The guarantee: a masked text lets nobody recover a secret, of any length, from
 * what is left around the masks. Replacing a secret wherever it occurs as a substring did not
 * hold that: a one-letter password masked every such letter of a message (so the holes spelled
 * it), and a password equal to the user name turned `postgresql://postgres:...` into
 * `***ql://***:...`. So masking works on whole components, in three passes:
 *
 * 1. Structural, whatever the secrets are: the password of every `scheme://user:password@host`
 *    (up to the last `@` of the URL, so an unencoded `@` in a password is covered) and the value
 *    of every `name=value` / `name: value` / `"name":"value"` whose name is a secret key
 *    (`?api_key=`, `&token=`, `password=`...; see `isSecretKey`).
 * 2. Known values (the connection's secrets, and their URL- and JSON-encoded forms) where they
 *    stand as a component of the text: bounded on both sides by the text's edge or a separator
 *    (space, quote, `:` `@` `/` `=` `,` `.` ...). Exactly that component is replaced.
 * 3. Long known values (LONG_SECRET characters and more) also inside a larger word: the whole
 *    word is replaced, so its rest does not tell where the secret was. Shorter ones are not
 *    looked for inside words: every word that happened to contain a two-letter password would
 *    be masked, and which words were would give it away.
 *
 * What stays visible: that a component was a secret. A password equal to the user name masks
 * the user name too; a reader who already knows the user name learns they are equal. URL schemes
 * are never masked (`postgres` as a password must not turn `postgres://` into `***://`).
 */
export const LONG_SECRET = 12;

/** Separators around a component (pass 2). */
const COMPONENT_EDGE = new Set(' \t\n\r\f\v"\'`,;()[]{}<>=:@/?&#|\\.!+*');
/** Separators around a word (pass 3): a URL or a path is one word. */
const WORD_EDGE = new Set(' \t\n\r\f\v"\'`,;()[]{}<>');

/** `name=` / `name:` / `"name":` (a value follows). Bounded name: linear however long the text. */
const NAME_THEN_SEPARATOR = /([A-Za-z0-9_.-]{1,64})(["']?\s{0,3}[=:]\s{0,3})/g;
/** Where an unquoted value ends. */
const VALUE_END = new Set(' \t\n\r\f\v&;,"\'<>{}()[]');

/** The value starting at `start`, as [start, end): up to the closing quote, or to a separator. */
function valueAt(text: string, start: number): [number, number] {
  const quote = text[start];
  if (quote === '"' || quote === "'") {
    let end = start + 1;
    while (end < text.length && text[end] !== quote && text[end] !== '\n') end += text[end] === '\\' && quote === '"' ? 2 : 1;
    return [start + 1, Math.min(end, text.length)];
  }
  let end = start;
  while (end < text.length && !VALUE_END.has(text[end])) end++;
  return [start, end];
}

/** The password of the URL whose `://` is at `sep`, as [start, end) in `text`, or null. */
function urlPasswordAt(text: string, sep: number): [number, number] | null {
  // A scheme before `://` (bounded look-back: no scan over a long run of letters).
  let s = sep;
  while (s > 0 && sep - s < 32 && /[A-Za-z0-9+.-]/.test(text[s - 1])) s--;
  if (s === sep || !/[A-Za-z]/.test(text[s])) return null;
  const start = sep + 3;
  // The URL ends at a space or quote, or where another URL begins.
  let end = start;
  while (end < text.length && !WORD_EDGE.has(text[end]) && !text.startsWith('://', end)) end++;
  let at = end - 1;
  while (at >= start && text[at] !== '@') at--;
  if (at < start) return null;
  const colon = text.indexOf(':', start);
  if (colon < 0 || colon >= at) return null; // `user@host`: no password
  return [colon + 1, at];
}

/** Every structural secret of a text (pass 1), as ranges, in order, not overlapping. */
function structuralRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let sep = text.indexOf('://'); sep >= 0; sep = text.indexOf('://', sep + 3)) {
    const range = urlPasswordAt(text, sep);
    if (range && range[1] > range[0]) ranges.push(range);
  }
  const names = new RegExp(NAME_THEN_SEPARATOR);
  for (let match = names.exec(text); match !== null; match = names.exec(text)) {
    if (!isSecretKey(match[1])) continue; // scanning goes on after the separator
    const [start, end] = valueAt(text, match.index + match[0].length);
    if (end > start) ranges.push([start, end]);
    names.lastIndex = Math.max(names.lastIndex, end);
  }
  return merge(ranges);
}

function merge(ranges: Array<[number, number]>): Array<[number, number]> {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = out.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else out.push([range[0], range[1]]);
  }
  return out;
}

function replaceRanges(text: string, ranges: Array<[number, number]>): string {
  if (ranges.length === 0) return text;
  let out = '';
  let from = 0;
  for (const [start, end] of merge(ranges)) {
    out += text.slice(from, start) + MASK;
    from = end;
  }
  return out + text.slice(from);
}

/** Masks credentials written inside URLs, DSNs and `name=value` pairs of a text (pass 1 only). */
export function maskUrls(text: string): string {
  return replaceRanges(text, structuralRanges(text));
}

/** The forms a secret may take in a message: as is, URL-encoded, form-encoded, JSON-escaped. */
function variantsOf(secret: string): string[] {
  const variants = new Set([secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+')]);
  variants.add(JSON.stringify(secret).slice(1, -1));
  return [...variants].filter((v) => v.length > 0);
}

/** Compiled once per set of secrets (a connection's set is built once per binding). */
const compiled = new WeakMap<object, string[]>();

function variantsOfAll(secrets: Iterable<string>): string[] {
  const cached = typeof secrets === 'object' ? compiled.get(secrets) : undefined;
  if (cached) return cached;
  const all = new Set<string>();
  for (const secret of secrets) if (typeof secret === 'string' && secret.length > 0) for (const v of variantsOf(secret)) all.add(v);
  // Longest first: a secret containing another is masked whole.
  const list = [...all].sort((a, b) => b.length - a.length);
  if (secrets instanceof Set) compiled.set(secrets, list);
  return list;
}

/** Passes 2 and 3 for one value: the ranges to mask in `text`. */
function valueRanges(text: string, value: string, out: Array<[number, number]>): void {
  for (let i = text.indexOf(value); i >= 0; i = text.indexOf(value, i + 1)) {
    const end = i + value.length;
    const bounded = (i === 0 || COMPONENT_EDGE.has(text[i - 1])) && (end === text.length || COMPONENT_EDGE.has(text[end]));
    // A URL scheme is never a secret, and masking one (a password "postgres") would name it.
    if (bounded && text.startsWith('://', end)) continue;
    if (bounded) {
      out.push([i, end]);
    } else if (value.length >= LONG_SECRET) {
      let start = i;
      let stop = end;
      while (start > 0 && !WORD_EDGE.has(text[start - 1])) start--;
      while (stop < text.length && !WORD_EDGE.has(text[stop])) stop++;
      out.push([start, stop]);
      i = stop - 1;
    }
  }
}

/** Masks every structural secret and every known secret value of a text (see above). */
export function maskText(text: string, secrets: Iterable<string> = []): string {
  const ranges = structuralRanges(text);
  for (const value of variantsOfAll(secrets)) valueRanges(text, value, ranges);
  return replaceRanges(text, ranges);
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

/** Only plain objects and arrays are walked: Buffers, class instances (drizzle tables), cycles are not. */
function isWalkable(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The text of a binary value under a secret key (a PEM private key given as a Buffer). */
function binaryText(value: unknown): string | undefined {
  if (!ArrayBuffer.isView(value)) return undefined;
  const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8').trim();
  return text.length > 0 && !text.includes('\uFFFD') ? text : undefined;
}

/** The secrets written inside a string: URL passwords and values of secret-named parameters, raw and decoded. */
function secretsInText(text: string, out: Set<string>): void {
  for (const [start, end] of structuralRanges(text)) {
    const raw = text.slice(start, end);
    out.add(raw);
    for (const decode of [decodeURIComponent, (s: string) => decodeURIComponent(s.replace(/\+/g, ' '))]) {
      try {
        out.add(decode(raw));
      } catch {
        // not percent-encoded: the raw form is already collected
      }
    }
  }
}

/**
 * Collects every secret value of an options object: values under secret keys (see
 * `isSecretKey`), and the secrets written inside any string (URL passwords, `?api_key=...`).
 */
export function collectSecretValues(
  value: unknown,
  out = new Set<string>(),
  underSecretKey = false,
  seen = new Set<object>(),
): Set<string> {
  if (value === null || value === undefined) return out;
  if (typeof value === 'string') {
    if (underSecretKey && value.length > 0) out.add(value);
    if (value.includes('://') || value.includes('=') || value.includes(':')) secretsInText(value, out);
    return out;
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (underSecretKey) out.add(String(value));
    return out;
  }
  if (typeof value !== 'object') return out;
  if (underSecretKey) {
    const text = binaryText(value);
    if (text !== undefined) out.add(text);
  }
  if (!isWalkable(value) || seen.has(value)) return out;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) collectSecretValues(item, out, underSecretKey, seen);
    return out;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    collectSecretValues(item, out, underSecretKey || isSecretKey(key), seen);
  }
  return out;
}

/** A deep copy of an options object with secret values masked, for display. */
export function maskOptions(value: unknown, underSecretKey = false, seen = new Set<object>()): unknown {
  if (value === null || value === undefined) return value;
  if (underSecretKey && (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')) return MASK;
  if (typeof value === 'string') return maskUrls(value);
  // Functions and class instances (drizzle tables, entity classes, Buffers) are code, never shown.
  if (typeof value === 'function') return `[${describeObject(value)}]`;
  if (typeof value !== 'object') return value;
  if (underSecretKey && ArrayBuffer.isView(value)) return MASK;
  if (!isWalkable(value)) return `[${describeObject(value)}]`;
  if (seen.has(value)) return '[cycle]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => maskOptions(item, underSecretKey, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] = maskOptions(item, underSecretKey || isSecretKey(key), seen);
  }
  return out;
}

function describeObject(value: object): string {
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'function';
  return value.constructor?.name || 'object';
}
