import { typeOrmSuite } from './support/typeorm-behaviour.js';
import { mariadbTarget } from './support/orm-targets.js';

await typeOrmSuite(mariadbTarget());
