import { Inject } from '@nestjs/common';
import { getConnectionToken } from './connections.tokens.js';

/** Injects the connection registered under `name`: `@InjectConnection('analytics') db: SqlConnection`. */
export const InjectConnection = (name: string): PropertyDecorator & ParameterDecorator =>
  Inject(getConnectionToken(name));
