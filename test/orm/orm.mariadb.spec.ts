import { drizzleSuite } from './support/drizzle-behaviour.js';
import { typeOrmSuite } from './support/typeorm-behaviour.js';
import { mariadbTarget } from './support/orm-targets.js';

await typeOrmSuite(mariadbTarget());
await drizzleSuite(mariadbTarget());
