import { Controller, Get } from '@nestjs/common';
import { ClockService, type ClockReading } from './clock.service.js';

@Controller('clock')
export class ClockController {
  constructor(private readonly clock: ClockService) {}

  @Get()
  read(): Promise<ClockReading> {
    return this.clock.read();
  }
}
