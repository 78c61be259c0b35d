import { drizzleSuite } from './support/drizzle-behaviour.js';
import { typeOrmSuite } from './support/typeorm-behaviour.js';
import { postgresTarget } from './support/orm-targets.js';

await typeOrmSuite(postgresTarget());
await drizzleSuite(postgresTarget());
