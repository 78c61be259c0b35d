import { typeOrmSuite } from './support/typeorm-behaviour.js';
import { sqliteTarget } from './support/orm-targets.js';

await typeOrmSuite(sqliteTarget());
