import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { CONNECTION_NAME_PATTERN } from '../../core/connections.constants.js';

/**
 * Checks the `:name` route parameter before any lookup: a malformed name is a 400 (the
 * value is not echoed back), a well-formed unknown one becomes a 404 later.
 */
@Injectable()
export class ConnectionNamePipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !CONNECTION_NAME_PATTERN.test(value)) {
      throw new BadRequestException(
        'Invalid connection name: a name is 1 to 100 letters, digits, "-" or "_", starting with a letter or digit',
      );
    }
    return value;
  }
}
