import {
  BadGatewayException,
  BadRequestException,
  Catch,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  ServiceUnavailableException,
  type ArgumentsHost,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import {
  CircuitOpenError,
  ConnectError,
  ConnectionClosedError,
  ConnectionConfigError,
  ConnectionKeyError,
  ConnectionsError,
  UnknownConnectionError,
} from '../../errors/connection.errors.js';
import { maskText } from '../../utils/mask.util.js';
import { ClusterUnavailableError } from '../../errors/cluster.errors.js';

/** The HTTP answer to each error of the package. */
export function toHttpException(error: ConnectionsError): HttpException {
  // Messages are masked at the source (M1); masking URLs again costs nothing.
  const message = maskText(error.message);
  if (error instanceof UnknownConnectionError) return new NotFoundException(message);
  if (error instanceof ConnectionConfigError || error instanceof ConnectionKeyError) return new BadRequestException(message);
  // A swap whose replacement could not connect: the upstream failed, the old instance stays.
  if (error instanceof ConnectError) return new BadGatewayException(message);
  // The broker of a cluster reset is unreachable: local resets still work, so it is the cluster that is unavailable.
  if (error instanceof CircuitOpenError || error instanceof ConnectionClosedError || error instanceof ClusterUnavailableError) {
    return new ServiceUnavailableException(message);
  }
  return new InternalServerErrorException(message);
}

/** Turns the package's errors into JSON 4xx/5xx answers in Nest's usual shape, on the admin routes. */
@Catch(ConnectionsError)
export class ConnectionsAdminExceptionFilter extends BaseExceptionFilter {
  override catch(error: ConnectionsError, host: ArgumentsHost): void {
    super.catch(toHttpException(error), host);
  }
}
