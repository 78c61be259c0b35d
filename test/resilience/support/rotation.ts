import { Logger } from '@nestjs/common';
import { vi } from 'vitest';
import type { ConnectionEvent } from 'nestjs-connections';
import { until } from '../../support/until.js';

/** Every Nest log line (all levels) from now on, silenced. Restored by vitest's `restoreAllMocks`/`mockRestore`. */
export function captureLogs(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const spies = (['log', 'warn', 'error', 'debug', 'verbose'] as const).map((level) =>
    vi.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
      lines.push(`${level}: ${args.map(String).join(' ')}`);
    }),
  );
  return { lines, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

/** Index of the first event matching, or -1. */
export function indexOf(events: ConnectionEvent[], type: ConnectionEvent['type'], generation: number): number {
  return events.findIndex((e) => e.type === type && e.generation === generation);
}

/** Waits for the error a failed swap on a secrets change logs, and returns that line. */
export function failedSwapLogged(lines: string[], name: string): Promise<string> {
  return until(
    () => lines.find((line) => line.startsWith('error:') && line.includes(`"${name}" kept its instance`)),
    'the failed swap to be logged',
    5_000,
  );
}
