import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../../lib/index.js';
import { ClockModule } from './clock/clock.module.js';
import { NotesModule } from './notes/notes.module.js';
import { OpsModule } from './ops/ops.module.js';

@Module({
  imports: [
    // Options come from ./secrets.toml when it exists (copy sample/secrets.example.toml there
    // to use PostgreSQL and Redis), then CONNECTIONS__<NAME>__<KEY> environment variables.
    // fromSecrets also registers sections that only exist there, like [connections.cache].
    ConnectionsModule.forRoot({ fromSecrets: true }),
    NotesModule,
    ClockModule,
    OpsModule,
  ],
})
export class AppModule {}
