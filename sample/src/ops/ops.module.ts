import { Module } from '@nestjs/common';
import { OPS_TOKEN, SAMPLE_TOKEN } from './ops-token.js';
import { OpsTokenGuard } from './ops-token.guard.js';
import { OpsController } from './ops.controller.js';

@Module({
  controllers: [OpsController],
  providers: [{ provide: OPS_TOKEN, useValue: SAMPLE_TOKEN }, OpsTokenGuard],
  exports: [OPS_TOKEN],
})
export class OpsModule {}
