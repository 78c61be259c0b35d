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
  const base = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  logger.log(`Notes API on ${base}/notes (clock: /clock, ops: /ops/connections, admin API: /admin/connections)`);
  const token = app.get<OpsToken>(OPS_TOKEN);
  if (token.generated) {
    logger.log(`Admin token, generated for this run (set ADMIN_TOKEN to choose one): ${token.value}`);
    logger.log(`Admin page: ${base}/admin/connections/ui#token=${token.value}`);
  } else {
    logger.log(`Admin page: ${base}/admin/connections/ui (token from ADMIN_TOKEN)`);
  }
}

await bootstrap();
