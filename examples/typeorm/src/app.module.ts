import { Module } from '@nestjs/common';
import { ConnectionsModule } from 'nestjs-connections';
import { ConnectionsAdminModule } from 'nestjs-connections/admin';
import { ArticlesModule } from './articles/articles.module.js';

@Module({
  imports: [
    ConnectionsModule.forRoot({
      connections: [
        {
          name: 'articles',
          type: 'typeorm',
          // The default: an SQLite file in the working directory, no server needed. A
          // [connections.articles] section in secrets.toml (see secrets.example.toml) or
          // CONNECTIONS__ARTICLES__URL overrides it key by key.
          options: { dialect: 'sqlite', database: 'articles.db', synchronize: true },
        },
      ],
    }),
    ArticlesModule,
    // POST /admin/connections/articles/reset swaps the DataSource at runtime (token from ADMIN_TOKEN).
    ConnectionsAdminModule.forRoot({ token: () => process.env.ADMIN_TOKEN ?? '' }),
  ],
})
export class AppModule {}
