/** What ClockConnection hands out: a clock set to one time zone. */
export interface Clock {
  /** IANA time zone, e.g. `UTC`, `Europe/Paris`. */
  readonly timeZone: string;
  /** When this instance was created (ISO): tells instances apart after a reset. */
  readonly since: string;
  /** Now, as an ISO timestamp (UTC). */
  now(): string;
  /** Now, as wall-clock time in `timeZone`. */
  local(): string;
}

export interface ClockOptions {
  timeZone: string;
}
