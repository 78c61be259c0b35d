import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { isHealthMode } from '../health/connection-health.js';
import type { ConnectionHealthMode } from '../health/connections-health.interfaces.js';

/** `?mode=` of `/health`: absent (readiness), `readiness` or `liveness`; anything else is a 400 (not echoed). */
@Injectable()
export class HealthModePipe implements PipeTransform<unknown, ConnectionHealthMode> {
  transform(value: unknown): ConnectionHealthMode {
    if (value === undefined || value === '') return 'readiness';
    if (isHealthMode(value)) return value;
    throw new BadRequestException('Unknown health mode: use "readiness" (the default) or "liveness"');
  }
}

/** `?connect=` of `/health`: absent or `false` (default), or `true`; anything else is a 400. */
@Injectable()
export class HealthConnectPipe implements PipeTransform<unknown, boolean> {
  transform(value: unknown): boolean {
    if (value === undefined || value === '' || value === 'false') return false;
    if (value === 'true') return true;
    throw new BadRequestException('Invalid "connect": use "true" or "false" (the default)');
  }
}
