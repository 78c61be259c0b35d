/**
 * Default connection name: the class name in kebab-case with a trailing `Connection` dropped
 * (`AnalyticsDbConnection` -> `analytics-db`, `HTTPApiConnection` -> `http-api`).
 */
export function defaultConnectionName(className: string): string {
  const base = className.length > 'Connection'.length ? className.replace(/Connection$/, '') : className;
  return base
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

/** `analytics-db` -> `ANALYTICS_DB`, the form used in `CONNECTIONS__<NAME>__<KEY>`. */
export function envNameOf(connectionName: string): string {
  return connectionName.toUpperCase().replace(/-/g, '_');
}
