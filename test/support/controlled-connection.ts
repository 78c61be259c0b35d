import { BaseConnection, Connection } from 'nestjs-connections';
import { deferred, type Deferred } from './deferred.js';

/** A raw client handed out by the test connections; `id` tells instances apart. */
export class FakeClient {
  static next = 1;
  readonly id = FakeClient.next++;
  disposed = 0;
  constructor(readonly options: Record<string, unknown>) {}
}

/**
 * A connection whose `_connect` and `_disconnect` the test drives: each `_connect` call
 * creates a pending deferred (see `connects`), which the test resolves or rejects.
 * With `auto`, connects resolve on their own at once.
 */
export abstract class ControlledBase extends BaseConnection<FakeClient, Record<string, unknown>> {
  auto = false;
  failNext = 0;
  readonly connects: Array<Deferred<FakeClient> & { options: Record<string, unknown> }> = [];
  readonly disposed: FakeClient[] = [];
  readonly disconnectGate: Deferred<void>[] = [];
  holdDisconnect = false;

  protected override async _connect(options: Record<string, unknown>): Promise<FakeClient> {
    const d = Object.assign(deferred<FakeClient>(), { options });
    this.connects.push(d);
    if (this.failNext > 0) {
      this.failNext--;
      d.reject(new Error('refused by test'));
    } else if (this.auto) {
      d.resolve(new FakeClient(options));
    }
    return d.promise;
  }

  protected override async _disconnect(raw: FakeClient): Promise<void> {
    if (this.holdDisconnect) {
      const gate = deferred();
      this.disconnectGate.push(gate);
      await gate.promise;
    }
    raw.disposed++;
    this.disposed.push(raw);
  }

  protected override async _ping(raw: FakeClient): Promise<void> {
    if (raw.disposed) throw new Error('ping on a disposed client');
  }

  /** Resolves the n-th connect (0-based) with a fresh client and returns it. */
  succeed(n = this.connects.length - 1): FakeClient {
    const client = new FakeClient(this.connects[n].options);
    this.connects[n].resolve(client);
    return client;
  }

  fail(n = this.connects.length - 1, error: unknown = new Error('refused by test')): void {
    this.connects[n].reject(error);
  }

  get secretsSection(): Readonly<Record<string, unknown>> {
    return this._secrets;
  }
}

@Connection()
export class ControlledConnection extends ControlledBase {}

@Connection({ name: 'auto', eager: false })
export class AutoConnection extends ControlledBase {
  override auto = true;
}
