/**
 * Errors thrown by nestjs-connections. Each carries the connection's name, and
 * every message has passed through the masking of its connection (M1).
 */
export abstract class ConnectionsError extends Error {
  constructor(
    /** The connection the error is about (or `'*'` for module-wide problems). */
    readonly connectionName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** `_connect` failed (after any retries). `cause` holds the driver's error. */
export class ConnectError extends ConnectionsError {
  constructor(connectionName: string, message: string, cause: unknown) {
    super(connectionName, `Connection "${connectionName}" failed to connect: ${message}`, { cause });
  }
}

/**
 * `_ping` failed on a connected instance (health checks). The message is the driver's, masked
 * (M1); `cause` holds the driver's error.
 */
export class PingError extends ConnectionsError {
  constructor(connectionName: string, message: string, cause: unknown) {
    super(connectionName, message, { cause });
  }
}

/** A configuration problem, found at bootstrap or on a secrets reload (S4). */
export class ConnectionConfigError extends ConnectionsError {
  constructor(
    connectionName: string,
    /** The offending option key (dotted path), or `undefined` when the whole entry is wrong. */
    readonly key: string | undefined,
    problem: string,
  ) {
    super(
      connectionName,
      `Connection "${connectionName}"${key === undefined ? '' : `, key "${key}"`}: ${problem}`,
    );
  }
}

/** The connection was closed by application shutdown (D1). */
export class ConnectionClosedError extends ConnectionsError {
  constructor(connectionName: string) {
    super(connectionName, `Connection "${connectionName}" is closed (the application is shutting down)`);
  }
}

/** No connection is registered under that name. */
export class UnknownConnectionError extends ConnectionsError {
  constructor(
    connectionName: string,
    readonly knownNames: readonly string[],
  ) {
    super(
      connectionName,
      `Unknown connection "${connectionName}". Known connections: ${knownNames.length ? knownNames.join(', ') : '(none)'}`,
    );
  }
}

/** The circuit breaker is open: `_connect` was not called. */
export class CircuitOpenError extends ConnectionsError {
  constructor(connectionName: string) {
    super(connectionName, `Connection "${connectionName}": circuit open, not connecting until it half-opens`);
  }
}

/**
 * A keyed connection was used without a key (outside `keyFrom`'s requests and
 * `runWithConnectionKey`), or with a key that is not a usable string.
 */
export class ConnectionKeyError extends ConnectionsError {
  constructor(connectionName: string, problem: string) {
    super(connectionName, `Connection "${connectionName}": ${problem}`);
  }
}
