import { BaseConnection, Connection } from '../../../lib/index.js';
import type { Clock, ClockOptions } from './clock.interface.js';

/**
 * The sample's own connection type: a clock in a configured time zone. It needs no network,
 * yet it has the whole lifecycle: created on first use, options from code < secrets.toml
 * (`[connections.clock] timeZone = "Europe/Paris"`) < `CONNECTIONS__CLOCK__TIMEZONE`, and
 * replaced by a reset (see POST /ops/connections/clock/reset).
 */
@Connection({ name: 'clock', options: { timeZone: 'UTC' } })
export class ClockConnection extends BaseConnection<Clock, ClockOptions> {
  /** An unknown time zone fails at bootstrap, naming the connection (not at the first request). */
  protected override _validateOptions(options: ClockOptions): void {
    // Throws a RangeError for an unknown zone; the registry reports it as a ConnectionConfigError.
    new Intl.DateTimeFormat('en-GB', { timeZone: options.timeZone }).resolvedOptions();
  }

  protected override _connect({ timeZone }: ClockOptions): Clock {
    const format = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'medium' });
    return {
      timeZone,
      since: new Date().toISOString(),
      now: () => new Date().toISOString(),
      local: () => format.format(new Date()),
    };
  }

  protected override async _ping(clock: Clock): Promise<void> {
    clock.local();
  }
}
