import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { OPS_TOKEN, type OpsToken } from './ops/ops-token.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  // SIGINT/SIGTERM close the app, and with it every connection (drained, then disposed).
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  await app.listen(port, host);

  const logger = new Logger('Sample');
  logger.log(`Notes API on http://${host}:${port}/notes (clock: /clock, ops: /ops/connections)`);
  const token = app.get<OpsToken>(OPS_TOKEN);
  if (token.generated) {
    logger.log(`Ops token, generated for this run (set ADMIN_TOKEN to choose one): ${token.value}`);
  }
}

await bootstrap();
