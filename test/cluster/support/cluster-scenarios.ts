import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ClusterMessageSigner } from '../../../lib/cluster/cluster-message.signing.js';
import { PROTOCOL_VERSION, type ClusterMessage } from '../../../lib/cluster/cluster-message.js';
import type { ClusterResetResult, ClusterStatus } from '../../../lib/interfaces/cluster.interfaces.js';
import type { ConnectionInfo, ResetResult } from 'nestjs-connections';
import { SERVICES } from '../../support/services.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { until } from '../../support/until.js';
import { BrokerTap } from './broker-tap.js';
import { compiledLibrary } from './compiled-library.js';
import { ReplicaError, ReplicaProcess, type ReplicaMessage } from './replica-process.js';

const ACK_TIMEOUT_MS = 1_500;
const HEARTBEAT_MS = 250;
const VERSION = '1.2.3-test';

/**
 * The multi-process scenarios, run once per transport: three replicas of the app (each its
 * own Node process) on a fresh channel, talking to the machine's broker through a TCP proxy
 * owned by the test, so the broker can be cut without touching the shared server.
 */
export function clusterScenarios(transport: 'redis' | 'nats'): void {
  const key = randomBytes(24).toString('base64url');
  const channel = `nc-test.${transport}-${randomUUID().slice(0, 8)}`;
  const ids = ['api-a', 'api-b', 'worker-c'];
  let library: Awaited<ReturnType<typeof compiledLibrary>>;
  let proxy: TcpProxy;
  let tap: BrokerTap;
  const replicas = new Map<string, ReplicaProcess>();
  const r = (id: string) => replicas.get(id)!;

  const clusterOption = (instanceId: string) => ({
    transport: `${transport}://127.0.0.1:${proxy.port}`,
    instanceId,
    channel,
    ackTimeout: ACK_TIMEOUT_MS,
    heartbeat: HEARTBEAT_MS,
    version: VERSION,
  });
  const startReplica = (instanceId: string, extra: { hangReconnects?: boolean } = {}) =>
    ReplicaProcess.start(library.entry, { cluster: clusterOption(instanceId), key, ...extra });

  const status = (id: string) => r(id).call<ClusterStatus>('status');
  const info = (id: string, name = 'probe') => r(id).call<ConnectionInfo>('info', { name });
  const clusterReset = (id: string, name: string, opts: Record<string, unknown> = {}) =>
    r(id).call<ClusterResetResult>('reset', { name, opts: { scope: 'cluster', ...opts } });
  const resolveAll = () => Promise.all([...replicas.keys()].map((id) => r(id).call('resolve', { name: 'probe' })));

  /** Every replica lists exactly `expected` as live (membership converges within a few heartbeats). */
  const membersConverge = (expected: string[]) =>
    until(
      async () => {
        const all = await Promise.all([...replicas.keys()].map((id) => status(id)));
        return all.every((s) => s.members.map((m) => m.instanceId).join() === [...expected].toSorted().join());
      },
      `every replica to list ${expected.join(', ')}`,
      10_000,
    );

  beforeAll(async () => {
    library = await compiledLibrary();
    proxy = await TcpProxy.start(SERVICES[transport].port);
    tap = await BrokerTap.open(transport, channel);
    const started = await Promise.all(ids.map((id) => startReplica(id)));
    started.forEach((replica, index) => replicas.set(ids[index], replica));
    await membersConverge(ids);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...replicas.values()].map((replica) => replica.close()));
    await tap?.close();
    await proxy?.close();
    library?.dispose();
  }, 30_000);

  it('a cluster reset reaches every replica: each resets its own instance once and answers with its id and ResetResult', async () => {
    await resolveAll();
    const before = await Promise.all(ids.map((id) => info(id)));
    const result = await clusterReset('api-a', 'probe');
    expect(result.missing).toEqual([]);
    expect(result.replies.map((reply) => reply.instanceId).toSorted()).toEqual(ids);
    for (const reply of result.replies) {
      expect(reply).toEqual({
        instanceId: reply.instanceId,
        ok: true,
        result: { name: 'probe', reset: true, previousGeneration: 1, generation: 1 },
      });
    }
    // Answered by all: it did not wait for the timeout.
    expect(result.durationMs).toBeLessThan(ACK_TIMEOUT_MS);
    const after = await Promise.all(ids.map((id) => info(id)));
    after.forEach((connection, index) => {
      expect(connection.resets).toBe(before[index].resets + 1);
      expect(connection.state).toBe('idle');
    });
  });

  it('targets pick replicas by id or glob; the others keep their instance', async () => {
    await resolveAll();
    const byGlob = await clusterReset('worker-c', 'probe', { targets: 'api-*' });
    expect(byGlob.replies.map((reply) => reply.instanceId).toSorted()).toEqual(['api-a', 'api-b']);
    expect(byGlob.missing).toEqual([]);
    expect(byGlob.targets).toEqual(['api-*']);
    expect((await info('worker-c')).state).toBe('connected');
    expect((await info('api-a')).state).toBe('idle');

    const byId = await clusterReset('api-a', 'probe', { targets: ['worker-c'] });
    expect(byId.replies.map((reply) => reply.instanceId)).toEqual(['worker-c']);
    expect((await info('worker-c')).state).toBe('idle');
  });

  it('a cluster reset-all answers with every connection of every replica', async () => {
    await resolveAll();
    const result = await r('worker-c').call<ClusterResetResult<ResetResult[]>>('resetAll', { opts: { scope: 'cluster' } });
    expect(result.name).toBeNull();
    expect(result.missing).toEqual([]);
    expect(result.replies.map((reply) => reply.instanceId).toSorted()).toEqual(ids);
    for (const reply of result.replies) {
      expect(reply).toMatchObject({
        ok: true,
        result: [
          { name: 'probe', reset: true },
          { name: 'second', reset: false },
        ],
      });
    }
  });

  it("a connection unknown to the replicas is answered with each replica's error, not a timeout", async () => {
    const result = await clusterReset('api-b', 'nope');
    expect(result.missing).toEqual([]);
    expect(result.replies).toHaveLength(3);
    for (const reply of result.replies) {
      expect(reply).toMatchObject({ ok: false, error: expect.stringContaining('Unknown connection "nope"') });
    }
    expect(result.durationMs).toBeLessThan(ACK_TIMEOUT_MS);
  });

  it('the status lists the live replicas with their ids, versions and last-seen times', async () => {
    const now = Date.now();
    const s = await status('api-b');
    expect(s).toMatchObject({ instanceId: 'api-b', transport, channel, state: 'joined', signed: true, ackTimeoutMs: ACK_TIMEOUT_MS });
    expect(s.members.map((m) => [m.instanceId, m.version, m.self])).toEqual([
      ['api-a', VERSION, false],
      ['api-b', VERSION, true],
      ['worker-c', VERSION, false],
    ]);
    for (const member of s.members) {
      expect(now - Date.parse(member.lastSeen)).toBeLessThan(3 * HEARTBEAT_MS + 1_000);
      expect(Date.parse(member.startedAt)).toBeLessThanOrEqual(Date.parse(member.lastSeen));
    }
    expect(s.link).toMatchObject({ name: 'cluster', type: `cluster:${transport}`, state: 'connected' });
  });

  it('unsigned, forged, tampered, replayed and stale messages are dropped, counted and logged without payload, and reset nothing', async () => {
    // A genuine broadcast to capture (and replay later).
    const captured: string[] = [];
    await tap.listen(null, (wire) => captured.push(wire));
    await clusterReset('api-a', 'second');
    const genuine = await until(() => captured.find((wire) => JSON.parse(JSON.parse(wire).m).kind === 'reset'), 'the genuine broadcast');

    await resolveAll();
    const before = await Promise.all(ids.map((id) => info(id)));
    const dropsBefore = await Promise.all(ids.map(async (id) => (await status(id)).dropped));
    const marks = ids.map((id) => r(id).mark());

    const marker = `FORGED${randomBytes(6).toString('hex')}`;
    const forged = (overrides: Partial<ClusterMessage> = {}): ClusterMessage =>
      ({
        v: PROTOCOL_VERSION,
        id: `${marker}-${randomUUID()}`,
        kind: 'reset',
        channel,
        from: 'intruder',
        session: marker,
        at: Date.now(),
        body: { name: 'probe', targets: null },
        ...overrides,
      }) as ClusterMessage;
    const tampered = JSON.parse(genuine) as { m: string; s: string };
    const tamperedMessage = { ...JSON.parse(tampered.m), body: { name: 'probe', targets: null } };

    const attacks: Array<[string, string]> = [
      ['unsigned', new ClusterMessageSigner(null).seal(forged())],
      ['bad-signature', new ClusterMessageSigner('a-different-key-of-enough-length').seal(forged())],
      ['bad-signature', JSON.stringify({ m: JSON.stringify(tamperedMessage), s: tampered.s })],
      ['replayed', genuine],
      ['stale', new ClusterMessageSigner(key).seal(forged({ at: Date.now() - 10 * 60_000 }))],
      ['malformed', `not json ${marker}`],
    ];
    for (const [, wire] of attacks) await tap.publish(wire);

    // Each replica reports one "dropped" event per attack: wait for all of them, then check.
    for (const [index, id] of ids.entries()) {
      await until(
        () => r(id).messages.slice(marks[index]).filter((m) => m.type === 'event' && m.event.type === 'dropped').length >= attacks.length,
        `${id} to drop ${attacks.length} messages`,
      );
    }
    const expectedDrops: Record<string, number> = {};
    for (const [reason] of attacks) expectedDrops[reason] = (expectedDrops[reason] ?? 0) + 1;
    for (const [index, id] of ids.entries()) {
      const dropped = (await status(id)).dropped;
      for (const [reason, count] of Object.entries(expectedDrops)) {
        expect(dropped[reason as keyof typeof dropped] - dropsBefore[index][reason as keyof typeof dropped], `${id} ${reason}`).toBe(count);
      }
      const connection = await info(id);
      expect(connection.resets).toBe(before[index].resets);
      expect(connection.state).toBe('connected');
      // Logged with the reason, never with the payload.
      expect(r(id).output).toMatch(/Dropped 1 cluster message \(bad-signature\)/);
      expect(r(id).output).not.toContain(marker);
    }
  });

  it('a message signed with the shared key is obeyed and answered (the control of the forgery test)', async () => {
    await resolveAll();
    const answers: string[] = [];
    await tap.listen('trusted-test', (wire) => answers.push(wire));
    const signer = new ClusterMessageSigner(key);
    const id = randomUUID();
    await tap.publish(
      signer.seal({
        v: PROTOCOL_VERSION,
        id,
        kind: 'reset',
        channel,
        from: 'trusted-test',
        session: randomUUID(),
        at: Date.now(),
        body: { name: 'probe', targets: null },
      }),
    );
    await until(() => answers.length >= 3, 'three answers');
    const acks = answers.map((wire) => {
      const opened = signer.open(wire);
      if (!opened.ok || opened.message.kind !== 'ack') throw new Error(`unexpected answer: ${opened.ok ? opened.message.kind : opened.reason}`);
      return opened.message;
    });
    expect(acks.map((ack) => ack.from).toSorted()).toEqual(ids);
    expect(acks.every((ack) => ack.body.re === id && ack.body.ok)).toBe(true);
    for (const replicaId of ids) expect((await info(replicaId)).state).toBe('idle');
  });

  it('a replica that starts with the id of a live replica refuses to start, with a clear error', async () => {
    const impostor = ReplicaProcess.spawn(library.entry, { cluster: clusterOption('api-a'), key, quiet: true });
    const outcome = await impostor.waitFor((m) => m.type === 'ready' || m.type === 'failed', 'the impostor to boot or fail', 20_000);
    await impostor.kill();
    expect(outcome).toMatchObject({
      type: 'failed',
      error: { name: 'ClusterInstanceIdConflictError', message: expect.stringContaining('"api-a" is already held by a live replica') },
    });
    expect(r('api-a').output).toContain('tried to join with this replica\'s id "api-a"');
    // The holder is undisturbed: the next broadcast still gets exactly three answers.
    await membersConverge(ids);
    const result = await clusterReset('api-b', 'probe');
    expect(result.replies.map((reply) => reply.instanceId).toSorted()).toEqual(ids);
    expect(result.missing).toEqual([]);
  });

  /**
   * Cuts the broker (as `cut` does), checks the fail-fast and local paths, restores the broker
   * and answers the first cluster reset after the recovery.
   */
  async function outage(cut: () => void, detectWithinMs: number): Promise<ClusterResetResult> {
    const marks = ids.map((id) => r(id).mark());
    cut();
    await Promise.all(ids.map((id, index) => r(id).waitForEvent('down', detectWithinMs, marks[index])));

    const started = performance.now();
    const failure = await clusterReset('api-a', 'probe').then(
      () => null,
      (err: unknown) => err,
    );
    const elapsed = performance.now() - started;
    expect(failure).toBeInstanceOf(ReplicaError);
    expect((failure as ReplicaError).remoteName).toBe('ClusterUnavailableError');
    expect((failure as ReplicaError).message).toContain(`Cluster transport "${transport}" is unavailable`);
    expect(elapsed).toBeLessThan(ACK_TIMEOUT_MS / 2);
    expect((await status('api-a')).state).toBe('down');

    await r('api-a').call('resolve', { name: 'probe' });
    const local = await r('api-a').call<ResetResult>('reset', { name: 'probe' });
    expect(local).toMatchObject({ name: 'probe', reset: true });

    const rejoined = ids.map((id) => r(id).mark());
    proxy.restore();
    await Promise.all(ids.map((id, index) => r(id).waitForEvent('joined', 20_000, rejoined[index])));
    await membersConverge(ids);
    return clusterReset('api-a', 'probe');
  }

  it('a broker outage (connections cut, new ones refused) makes a cluster reset fail fast naming the transport; local resets work; it recovers by itself', async () => {
    const afterRecovery = await outage(() => proxy.refuse(), 5_000);
    expect(afterRecovery.replies.map((reply) => reply.instanceId).toSorted()).toEqual(ids);
    expect(afterRecovery.missing).toEqual([]);
  });

  it('a broker that hangs (half-open connections) is detected by the missing echo of the heartbeats, then the same', async () => {
    // Nothing is closed: only the replicas' own heartbeats, no longer coming back, can tell.
    const afterRecovery = await outage(() => proxy.blackhole(), 4 * HEARTBEAT_MS * 3);
    expect(afterRecovery.replies.map((reply) => reply.instanceId).toSorted()).toEqual(ids);
    expect(afterRecovery.missing).toEqual([]);
  }, 40_000);

  it('a replica killed in the middle of a broadcast is reported missing; the others answer within ackTimeout', async () => {
    const doomed = await startReplica('worker-d', { hangReconnects: true });
    replicas.set('worker-d', doomed);
    await membersConverge([...ids, 'worker-d']);
    await resolveAll();

    const mark = doomed.mark();
    // swap: each replica connects the replacement before answering; worker-d's connect hangs.
    const pending = clusterReset('api-b', 'probe', { strategy: 'swap' });
    await doomed.waitFor((m: ReplicaMessage) => m.type === 'connecting', 'worker-d to start its reset', 10_000, mark);
    await doomed.kill();
    replicas.delete('worker-d');

    const result = await pending;
    expect(result.replies.map((reply) => reply.instanceId).toSorted()).toEqual(ids);
    expect(result.replies.every((reply) => reply.ok)).toBe(true);
    expect(result.missing).toEqual(['worker-d']);
    expect(result.durationMs).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS - 50);
    expect(result.durationMs).toBeLessThan(ACK_TIMEOUT_MS + 1_000);
  });
}
