/**
 * Every `@InjectConnectionRepository(Entity, name?)` of the process, recorded when the decorator
 * runs (when the consumer's class is defined, before any module is scanned). The module turns
 * them into providers at scan time, and binds, at bootstrap, those whose consumer is part of the
 * application being booted.
 */
export interface RepositoryUse {
  /** `getConnectionRepositoryToken(entity, connectionName)`. */
  readonly token: symbol;
  readonly entity: unknown;
  /** The connection named in the decorator, or undefined: the only TypeORM connection. */
  readonly connectionName: string | undefined;
  /** Classes whose constructor or property takes this repository. */
  readonly consumers: Set<Function>;
}

const uses = new Map<symbol, RepositoryUse>();
/** entity -> connection name ('' for "the only one") -> token. */
const tokens = new WeakMap<object, Map<string, symbol>>();

/**
 * The injection token of the leased repository of `entity` on `connectionName` (or on the only
 * TypeORM connection): for `Test.overrideProvider(...)`, or `moduleRef.get(...)`.
 */
export function getConnectionRepositoryToken(entity: unknown, connectionName?: string): symbol {
  const key = (typeof entity === 'function' || (typeof entity === 'object' && entity !== null) ? entity : String) as object;
  let byName = tokens.get(key);
  if (!byName) tokens.set(key, (byName = new Map()));
  const name = connectionName ?? '';
  let token = byName.get(name);
  if (!token) {
    token = Symbol(`ConnectionRepository(${entityLabel(entity)}${connectionName === undefined ? '' : `, ${connectionName}`})`);
    byName.set(name, token);
  }
  return token;
}

export function recordUse(entity: unknown, connectionName: string | undefined, consumer: Function): symbol {
  const token = getConnectionRepositoryToken(entity, connectionName);
  let use = uses.get(token);
  if (!use) uses.set(token, (use = { token, entity, connectionName, consumers: new Set() }));
  use.consumers.add(consumer);
  return token;
}

export function recordedUses(): RepositoryUse[] {
  return [...uses.values()];
}

/** How an entity is named in messages: its class name, its EntitySchema name, or what it is. */
export function entityLabel(entity: unknown): string {
  if (typeof entity === 'function') return entity.name || '(anonymous class)';
  const name = (entity as { options?: { name?: unknown } } | null)?.options?.name;
  if (typeof name === 'string') return name;
  return typeof entity === 'string' ? JSON.stringify(entity) : String(entity);
}
