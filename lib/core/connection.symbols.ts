/**
 * Internal entry points of `BaseConnection`, keyed by symbols so they stay off its public API
 * (and, with the members that use them marked internal, out of the published types): the registry binds and closes
 * connections through them, and lifecycles reach their connection through them.
 */
export const kBind = Symbol('nestjs-connections:bind');
export const kRebind = Symbol('nestjs-connections:rebind');
export const kValidate = Symbol('nestjs-connections:validate');
export const kClose = Symbol('nestjs-connections:close');
export const kBinding = Symbol('nestjs-connections:binding');
export const kAbandon = Symbol('nestjs-connections:abandon');
export const kKeys = Symbol('nestjs-connections:keys');
export const kOpen = Symbol('nestjs-connections:open');
export const kDisconnect = Symbol('nestjs-connections:disconnect');
export const kEmit = Symbol('nestjs-connections:emit');
export const kBound = Symbol('nestjs-connections:bound');
export const kKeyInfo = Symbol('nestjs-connections:key-info');
export const kTries = Symbol('nestjs-connections:tries');
export const kEvicted = Symbol('nestjs-connections:evicted');
/** A connection class's static description of its options (see `DescribesOptions`). */
export const kDescribeOptions = Symbol('nestjs-connections:describe-options');
