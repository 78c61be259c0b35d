/** Injection token of the options given to `ConnectionsAdminModule.forRoot()`. */
export const CONNECTIONS_ADMIN_OPTIONS = Symbol('nestjs-connections:admin-options');

export const DEFAULT_ADMIN_PATH = 'admin/connections';
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;
