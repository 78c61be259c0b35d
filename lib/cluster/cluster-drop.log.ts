import type { Logger } from '@nestjs/common';
import type { ClusterDropReason } from '../interfaces/cluster.interfaces.js';

/** Repeated drops are logged at most this often per reason (a flood must not flood the logs). */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Counts the messages a replica drops, by reason, and logs them — the reason and the
 * transport, never the payload — at most once per reason every `DROP_LOG_INTERVAL_MS`.
 */
export class ClusterDropLog {
  readonly counts: Record<ClusterDropReason, number> = { malformed: 0, unsigned: 0, 'bad-signature': 0, replayed: 0, stale: 0 };
  readonly #logged = new Map<ClusterDropReason, { at: number; count: number }>();

  constructor(
    private readonly logger: Logger,
    /** `redis` or `nats`, and the channel: what the log line names. */
    private readonly where: () => { transport: string; channel: string },
  ) {}

  record(reason: ClusterDropReason): void {
    this.counts[reason]++;
    const now = Date.now();
    const logged = this.#logged.get(reason) ?? { at: -Infinity, count: 0 };
    logged.count++;
    if (now - logged.at >= DROP_LOG_INTERVAL_MS) {
      const { transport, channel } = this.where();
      this.logger.warn(
        `Dropped ${logged.count} cluster message${logged.count > 1 ? 's' : ''} (${reason}) on ${transport} ` +
          `channel "${channel}"; ${this.counts[reason]} ${reason} since start`,
      );
      logged.at = now;
      logged.count = 0;
    }
    this.#logged.set(reason, logged);
  }
}
