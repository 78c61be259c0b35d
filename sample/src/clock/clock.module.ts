import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../../../lib/index.js';
import { ClockConnection } from './clock.connection.js';
import { ClockController } from './clock.controller.js';
import { ClockService } from './clock.service.js';

@Module({
  imports: [ConnectionsModule.forFeature([ClockConnection])],
  controllers: [ClockController],
  providers: [ClockService],
  exports: [ClockService],
})
export class ClockModule {}
