import { Injectable, type OnModuleInit, type Provider } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ConnectionConfigError } from '../errors/connection.errors.js';
import { leasedRepository } from '../builtins/typeorm/leased-repository.js';
import { entityLabel, recordedUses, type RepositoryUse } from '../builtins/typeorm/repository-uses.js';
import { TypeOrmConnection } from '../builtins/typeorm/typeorm.connection.js';
import { ConnectionRegistry } from './connections.registry.js';

/** One `@InjectConnectionRepository` token of this application, and the connection it resolved to. */
class RepositoryBinding {
  #connection: TypeOrmConnection | null = null;

  constructor(
    readonly use: RepositoryUse,
    private readonly registry: ConnectionRegistry,
  ) {}

  /** The TypeORM connection of this use: the named one, or the only one (S4 errors otherwise). */
  connection(): TypeOrmConnection {
    return (this.#connection ??= this.#find());
  }

  #find(): TypeOrmConnection {
    const { connectionName, entity, consumers } = this.use;
    const where = `@InjectConnectionRepository(${entityLabel(entity)}${connectionName === undefined ? '' : `, '${connectionName}'`}) in ${[...consumers].map((c) => c.name).join(', ')}`;
    if (connectionName !== undefined) {
      const found = this.registry.get(connectionName);
      if (found instanceof TypeOrmConnection) return found;
      throw new ConnectionConfigError(connectionName, 'type', `${where} needs a connection of type "typeorm"; this one is ${found.info().type}`);
    }
    const all = this.registry.names().map((name) => this.registry.get(name)).filter((c) => c instanceof TypeOrmConnection);
    if (all.length === 1) return all[0] as TypeOrmConnection;
    if (all.length === 0) {
      throw new ConnectionConfigError('*', 'type', `${where} needs a connection of type "typeorm"; none is registered`);
    }
    throw new ConnectionConfigError(
      '*',
      'connectionName',
      `${where}: there are several TypeORM connections (${all.map((c) => c.name).join(', ')}); name one: @InjectConnectionRepository(${entityLabel(entity)}, '${all[0]!.name}')`,
    );
  }
}

/**
 * At bootstrap (after the registry attached every connection): binds each repository whose
 * consumer is part of this application to its connection, checks that its entity is one, adds
 * the entity to that connection's `entities`, then lets TypeORM check the options of every
 * TypeORM connection (`new DataSource()`, which connects nothing). Problems fail bootstrap with
 * a `ConnectionConfigError` naming the connection and the key (S4).
 *
 * Uses recorded by classes that are not part of this application (another app in the same
 * process, a test file's) are left unbound: they fail only if called.
 */
@Injectable()
export class ConnectionRepositoryBindings implements OnModuleInit {
  readonly #bindings: RepositoryBinding[] = [];

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly discovery: DiscoveryService,
  ) {}

  /** @internal */
  add(use: RepositoryUse): RepositoryBinding {
    const binding = new RepositoryBinding(use, this.registry);
    this.#bindings.push(binding);
    return binding;
  }

  async onModuleInit(): Promise<void> {
    const inApp = new Set<unknown>(
      [...this.discovery.getProviders(), ...this.discovery.getControllers()].map((wrapper) => wrapper.metatype),
    );
    for (const binding of this.#bindings) {
      if (![...binding.use.consumers].some((consumer) => inApp.has(consumer))) continue;
      const connection = binding.connection();
      if (!(await connection.isEntity(binding.use.entity))) {
        throw new ConnectionConfigError(
          connection.name,
          'entities',
          `@InjectConnectionRepository(${entityLabel(binding.use.entity)}) in ${[...binding.use.consumers].map((c) => c.name).join(', ')}: ${entityLabel(binding.use.entity)} is not a TypeORM entity (a class decorated with @Entity(), or an EntitySchema)`,
        );
      }
      connection.addEntity(binding.use.entity);
    }
    for (const name of this.registry.names()) {
      const connection = this.registry.get(name);
      if (connection instanceof TypeOrmConnection) await connection.checkWithTypeOrm();
    }
  }
}

/**
 * The providers of every `@InjectConnectionRepository` token recorded so far: computed when Nest
 * scans the module (after every file of the app was imported, so every use is known), not when
 * `forRoot()` is called. Each repository finds its connection on first use or at bootstrap.
 */
export function connectionRepositoryProviders(): Provider[] {
  return [
    ConnectionRepositoryBindings,
    ...recordedUses().map((use) => ({
      provide: use.token,
      useFactory: (bindings: ConnectionRepositoryBindings) => {
        const binding = bindings.add(use);
        return leasedRepository(() => binding.connection(), use.entity);
      },
      inject: [ConnectionRepositoryBindings],
    })),
  ];
}

export function connectionRepositoryTokens(): symbol[] {
  return recordedUses().map((use) => use.token);
}
