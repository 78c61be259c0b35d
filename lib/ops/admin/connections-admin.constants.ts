/** Injection token of the options given to `ConnectionsAdminModule.forRoot()`. */
export const CONNECTIONS_ADMIN_OPTIONS = Symbol('nestjs-connections:admin-options');

/** The controllers one `forRoot()` mounted (its middleware applies to them). */
export const CONNECTIONS_ADMIN_CONTROLLERS = Symbol('nestjs-connections:admin-controllers');

/** The metadata keys `@ApiExcludeController()` and `@ApiTags()` of `@nestjs/swagger` set (its DECORATORS constants). */
export const SWAGGER_EXCLUDE_CONTROLLER = 'swagger/apiExcludeController';
export const SWAGGER_TAGS = 'swagger/apiUseTags';

export const DEFAULT_ADMIN_PATH = 'admin/connections';
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;
/** Open event streams allowed at once (`maxStreams`); the next one gets a 503. */
export const DEFAULT_MAX_STREAMS = 100;
/** Bytes a stream may fall behind before it is disconnected (`maxStreamBacklog`). */
export const DEFAULT_MAX_STREAM_BACKLOG = 1024 * 1024;
/** Events kept for `Last-Event-ID` resumes (`eventBuffer`), and at most this many bytes of them (`eventBufferBytes`). */
export const DEFAULT_EVENT_BUFFER = 1000;
export const DEFAULT_EVENT_BUFFER_BYTES = 1024 * 1024;
/** Recent events sent in a snapshot: the page's timeline (50 per connection) starts from them. */
export const SNAPSHOT_EVENTS = 500;
