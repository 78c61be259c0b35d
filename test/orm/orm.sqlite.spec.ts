import { drizzleSuite } from './support/drizzle-behaviour.js';
import { typeOrmSuite } from './support/typeorm-behaviour.js';
import { sqliteTarget } from './support/orm-targets.js';

await typeOrmSuite(sqliteTarget());
await drizzleSuite(sqliteTarget());
