import { typeOrmSuite } from './support/typeorm-behaviour.js';
import { postgresTarget } from './support/orm-targets.js';

await typeOrmSuite(postgresTarget());
