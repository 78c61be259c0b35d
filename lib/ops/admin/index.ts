// `nestjs-connections/admin`: the admin HTTP API and page.
export { ConnectionsAdminModule } from './connections-admin.module.js';
export { CONNECTIONS_ADMIN_OPTIONS } from './connections-admin.constants.js';
export type { ConnectionsAdminOptions, AdminTokenSource } from './connections-admin-options.interface.js';
