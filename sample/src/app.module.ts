import { Module } from '@nestjs/common';
import { ConnectionsAdminModule } from '../../lib/ops/admin/index.js';
import { ConnectionsModule } from '../../lib/index.js';
import { ClockModule } from './clock/clock.module.js';
import { NotesModule } from './notes/notes.module.js';
import { OpsModule } from './ops/ops.module.js';
import { SAMPLE_TOKEN } from './ops/ops-token.js';

@Module({
  imports: [
    // Options come from ./secrets.toml when it exists (copy sample/secrets.example.toml there
    // to use PostgreSQL and Redis), then CONNECTIONS__<NAME>__<KEY> environment variables.
    // fromSecrets also registers sections that only exist there, like [connections.cache].
    ConnectionsModule.forRoot({ fromSecrets: true }),
    NotesModule,
    ClockModule,
    OpsModule,
    // The library's admin API and live page at /admin/connections (ui: /admin/connections/ui),
    // behind the same bearer token as the sample's own ops routes.
    ConnectionsAdminModule.forRoot({ token: () => SAMPLE_TOKEN.value }),
  ],
})
export class AppModule {}
