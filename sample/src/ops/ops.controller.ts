import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ConnectionRegistry, type ConnectionInfo, type ResetResult } from '../../../lib/index.js';
import { OpsTokenGuard } from './ops-token.guard.js';

/**
 * The sample's own small operations API over ConnectionRegistry: list the connections and
 * reset one at runtime (e.g. after rotating a database password). The library's
 * ConnectionsAdminModule offers a complete one.
 */
@Controller('ops/connections')
@UseGuards(OpsTokenGuard)
export class OpsController {
  constructor(private readonly registry: ConnectionRegistry) {}

  @Get()
  list(): ConnectionInfo[] {
    return this.registry.list();
  }

  /** `?strategy=swap` connects the replacement before taking the old one out of service. */
  @Post(':name/reset')
  @HttpCode(200)
  reset(@Param('name') name: string, @Query('strategy') strategy?: string): Promise<ResetResult> {
    if (!this.registry.has(name)) {
      throw new NotFoundException(`Unknown connection "${name}". Known: ${this.registry.names().join(', ')}`);
    }
    if (strategy !== undefined && strategy !== 'drop' && strategy !== 'swap') {
      throw new BadRequestException('strategy must be "drop" or "swap"');
    }
    return this.registry.reset(name, { strategy });
  }
}
