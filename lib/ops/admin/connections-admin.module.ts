import {
  Controller,
  Inject,
  Logger,
  Module,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnModuleInit,
  type Provider,
  type Type,
} from '@nestjs/common';
import { AdminCrossSiteGuard } from './admin-cross-site.guard.js';
import { AdminEventStreams } from './admin-event-streams.js';
import { AdminHeadersMiddleware } from './admin-headers.middleware.js';
import { AdminTokenGuard, resolveAdminToken } from './admin-token.guard.js';
import {
  CONNECTIONS_ADMIN_CONTROLLERS,
  CONNECTIONS_ADMIN_OPTIONS,
  DEFAULT_ADMIN_PATH,
  SWAGGER_EXCLUDE_CONTROLLER,
  SWAGGER_TAGS,
} from './connections-admin.constants.js';
import { ConnectionsAdminController } from './connections-admin.controller.js';
import type { ConnectionsAdminOptions } from './connections-admin-options.interface.js';
import { ConnectionsAdminResetController } from './connections-admin-reset.controller.js';
import { ConnectionsAdminUiController } from './connections-admin-ui.controller.js';

type Guard = Type<CanActivate> | CanActivate;

/**
 * A subclass of `base`, mounted at `path` behind `guards`: one per `forRoot()` call, so several
 * mounts can coexist. Unless `swagger`, it carries the metadata `@ApiExcludeController()` sets,
 * so `SwaggerModule.createDocument()` leaves it out (no dependency on `@nestjs/swagger`).
 */
function mount<T extends Type>(base: T, path: string, guards: Guard[], swagger: boolean): Type {
  const mounted = class extends base {};
  Object.defineProperty(mounted, 'name', { value: base.name });
  Controller(path)(mounted);
  if (guards.length) UseGuards(...guards)(mounted);
  if (swagger) SetMetadata(SWAGGER_TAGS, ['connections-admin'])(mounted);
  else SetMetadata(SWAGGER_EXCLUDE_CONTROLLER, [true])(mounted);
  return mounted;
}

function normalizePath(path: string): string {
  const trimmed = path.trim().replace(/^\/+|\/+$/g, '');
  if (!trimmed) throw new Error('ConnectionsAdminModule: `path` must not be empty (the admin API is not mounted at the root)');
  return trimmed;
}

/**
 * The admin HTTP API of the connections: list, inspect, reset, health, a live event stream
 * and a small page.
 *
 * ```ts
 * ConnectionsAdminModule.forRoot({ token: () => process.env.ADMIN_TOKEN! })
 * ```
 *
 * Nothing is mounted unless this module is imported, and it refuses to start without a
 * `guard` or a `token` unless `insecure: true` says so explicitly.
 */
@Module({})
export class ConnectionsAdminModule implements OnModuleInit, NestModule {
  readonly #logger = new Logger('ConnectionsAdmin');

  constructor(
    @Inject(CONNECTIONS_ADMIN_OPTIONS) private readonly options: ConnectionsAdminOptions & { path: string },
    @Inject(CONNECTIONS_ADMIN_CONTROLLERS) private readonly controllers: Type[],
  ) {}

  /** The security headers on every route of this mount. */
  configure(consumer: MiddlewareConsumer): void {
    if (this.controllers.length) consumer.apply(AdminHeadersMiddleware).forRoutes(...this.controllers);
  }

  static forRoot(options: ConnectionsAdminOptions = {}): DynamicModule {
    const path = normalizePath(options.path ?? DEFAULT_ADMIN_PATH);
    const hasToken = options.token !== undefined && options.token !== '';
    if (!hasToken && !options.guard && options.insecure !== true) {
      throw new Error(
        `ConnectionsAdminModule refuses to mount /${path} without authentication: ` +
          'set `token` (a bearer token, or a function returning it) or `guard` (a CanActivate class), ' +
          'or `insecure: true` to expose it unprotected (never in production).',
      );
    }
    if (typeof options.token !== 'undefined' && typeof options.token !== 'string' && typeof options.token !== 'function') {
      throw new Error('ConnectionsAdminModule: `token` must be a string or a function returning one');
    }

    const guards: Guard[] = [...(hasToken ? [AdminTokenGuard] : []), ...(options.guard ? [options.guard] : [])];
    const read = options.read !== false;
    const controllers: Type[] = [];
    // Order matters: Nest registers routes controller by controller, and GET /ui must come
    // before the read controller's GET /:name.
    const swagger = options.swagger === true;
    if (read && options.ui !== false) {
      controllers.push(mount(ConnectionsAdminUiController, path, options.guard ? [options.guard] : [], swagger));
    }
    if (read) controllers.push(mount(ConnectionsAdminController, path, guards, swagger));
    // Cross-site writes are refused first, before a cookie guard could accept them.
    if (options.write !== false) controllers.push(mount(ConnectionsAdminResetController, path, [AdminCrossSiteGuard, ...guards], swagger));

    const providers: Provider[] = [
      { provide: CONNECTIONS_ADMIN_OPTIONS, useValue: { ...options, path } },
      { provide: CONNECTIONS_ADMIN_CONTROLLERS, useValue: controllers },
      AdminEventStreams,
      AdminCrossSiteGuard,
      ...(hasToken ? [AdminTokenGuard] : []),
    ];
    return { module: ConnectionsAdminModule, controllers, providers };
  }

  /** A token factory is checked once at bootstrap, so a missing secret fails the start, not the first request. */
  async onModuleInit(): Promise<void> {
    const { token, guard, insecure, path } = this.options;
    if (typeof token === 'function') {
      let resolved: string | undefined;
      try {
        resolved = await resolveAdminToken(token);
      } catch (err) {
        throw new Error(`ConnectionsAdminModule: the \`token\` factory failed: ${(err as Error)?.name ?? 'error'}`, { cause: err });
      }
      if (resolved === undefined) {
        throw new Error(
          `ConnectionsAdminModule refuses to mount /${path}: the \`token\` factory returned no token (an empty or missing value)`,
        );
      }
    }
    if (token === undefined && !guard && insecure) {
      this.#logger.warn(`The admin API at /${path} is mounted WITHOUT authentication (insecure: true)`);
    }
  }
}
