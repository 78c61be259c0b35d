import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import type { ResetStrategy } from '../../interfaces/reset-result.interface.js';

/** `?strategy=` of the reset routes: absent, `drop` or `swap`; anything else is a 400. */
@Injectable()
export class ResetStrategyPipe implements PipeTransform<unknown, ResetStrategy | undefined> {
  transform(value: unknown): ResetStrategy | undefined {
    if (value === undefined || value === '') return undefined;
    if (value === 'drop' || value === 'swap') return value;
    throw new BadRequestException('Unknown reset strategy: use "drop" (the default) or "swap"');
  }
}
