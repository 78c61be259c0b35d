// `nestjs-connections/typeorm`: the 'typeorm' type (typeorm and its driver are optional peers, loaded on first connect).
export { TypeOrmConnection } from './typeorm.connection.js';
export { InjectConnectionRepository } from './inject-connection-repository.decorator.js';
export { getConnectionRepositoryToken } from './repository-uses.js';
export type { ConnectionRepository } from './leased-repository.js';
export type { TypeOrmConnectionOptions } from './typeorm-connection-options.interface.js';
