import { Injectable } from '@nestjs/common';
import { ClockConnection } from './clock.connection.js';

export interface ClockReading {
  timeZone: string;
  now: string;
  local: string;
  /** Which clock instance answered: a reset makes a new one. */
  generation: number;
  since: string;
}

@Injectable()
export class ClockService {
  constructor(private readonly clock: ClockConnection) {}

  /** The current time, for stamping notes. */
  now(): Promise<string> {
    return this.clock.use((clock) => clock.now());
  }

  async read(): Promise<ClockReading> {
    const clock = await this.clock.resolve();
    return {
      timeZone: clock.timeZone,
      now: clock.now(),
      local: clock.local(),
      generation: this.clock.generation,
      since: clock.since,
    };
  }
}
