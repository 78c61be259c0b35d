/**
 * Which option keys and URL parameters hold secrets (M1), by exact rules on the key's name, not
 * by substring: a substring rule made `keyPrefix`, `primaryKey` and `cert` (a public
 * certificate) secrets, and then masked every occurrence of their values in every message.
 *
 * A name is normalized (lower-cased, `_`, `-` and `.` dropped: `api_key`, `apiKey`, `API-KEY` and
 * `x-amz-signature` become `apikey` and `xamzsignature`), then it is secret when it is one of
 * `EXACT` or ends with one of `SUFFIXES`.
 */
const EXACT: ReadonlySet<string> = new Set([
  'key', // TLS private key, cluster key, ...
  'pass',
  'pwd',
  'auth',
  'authorization',
  'cookie',
  'sig',
  'pfx', // TLS bundle with the private key
  'dsn', // often a whole connection string with credentials
]);

const SUFFIXES: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'credential',
  'credentials',
  'signature',
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
  'clientkey',
  'signingkey',
  'encryptionkey',
  'masterkey',
  'sslkey',
  'tlskey',
  'sessionid',
  'sessionkey',
];

function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_.]/g, '');
}

/** Whether the value of an option key (or URL/DSN parameter) of this name is a secret. */
export function isSecretKey(key: string): boolean {
  const name = normalize(key);
  if (name.length === 0) return false;
  if (EXACT.has(name)) return true;
  return SUFFIXES.some((suffix) => name.endsWith(suffix));
}
