import type { CanActivate, Type } from '@nestjs/common';

/** The admin bearer token, or a function that returns it (called on every request, so it may rotate). */
export type AdminTokenSource = string | (() => string | Promise<string>);

/** Options of `ConnectionsAdminModule.forRoot()`. */
export interface ConnectionsAdminOptions {
  /** Where the routes are mounted (below any global prefix). Default `admin/connections`. */
  path?: string;
  /**
   * A Nest guard protecting every admin route, the page included (it sees the request, so a
   * cookie or session guard works for the page too). Refused with 403 when it returns false.
   */
  guard?: Type<CanActivate> | CanActivate;
  /**
   * Bearer token: requests must send `Authorization: Bearer <token>`, or get 401. Compared in
   * constant time. With `guard` too, both must pass.
   */
  token?: AdminTokenSource;
  /** Read routes: the list, one connection, `/health`, `/events` (and the page). Default `true`. */
  read?: boolean;
  /** Write routes: `POST /reset` and `POST /:name/reset`. Default `true`. */
  write?: boolean;
  /** The live page at `/ui` (needs `read`). Default `true`. */
  ui?: boolean;
  /** Mount without `guard` or `token`. Never in production: anyone reaching the app can reset connections. */
  insecure?: boolean;
  /** Timeout of each connection's ping on `/health`, in milliseconds. Default 1000. */
  healthTimeout?: number;
  /** Interval of the keep-alive comments on `/events`, in milliseconds. Default 15000. */
  heartbeatInterval?: number;
  /** Open `/events` streams allowed at once; the next one is answered 503 with `Retry-After`. Default 100. */
  maxStreams?: number;
  /**
   * Bytes an `/events` client may fall behind (unread data buffered for it) before it is
   * disconnected; it resumes with `Last-Event-ID`. Default 1 MiB.
   */
  maxStreamBacklog?: number;
  /** Events kept for `Last-Event-ID` resumes. Default 1000 events, and at most `eventBufferBytes` of them. */
  eventBuffer?: number;
  /** Bytes of events kept for resumes. Default 1 MiB. */
  eventBufferBytes?: number;
  /**
   * Show the admin routes in the app's OpenAPI (Swagger) document. Default `false`: they are
   * marked excluded, as `@ApiExcludeController()` does, without depending on `@nestjs/swagger`.
   */
  swagger?: boolean;
  /**
   * Origins (`https://ops.example.com`) allowed to send the POST reset routes from a browser
   * besides the admin's own; other cross-site writes are refused with 403. Default none.
   */
  trustedOrigins?: string[];
}
