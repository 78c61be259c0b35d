import { describe, expect, it } from 'vitest';
import { ClusterMessageSigner } from '../../lib/cluster/cluster-message.signing.js';
import { PROTOCOL_VERSION, type ClusterMessage } from '../../lib/cluster/cluster-message.js';
import { ClusterReplayGuard } from '../../lib/cluster/cluster-replay.guard.js';
import { isTargeted, normalizeTargets } from '../../lib/cluster/instance-targets.js';

const KEY = 'the-shared-cluster-key-0123456789';

function message(overrides: Partial<ClusterMessage> = {}): ClusterMessage {
  return {
    v: PROTOCOL_VERSION,
    id: 'm-1',
    kind: 'reset',
    channel: 'app',
    from: 'api-1',
    session: 's-1',
    at: 1_000,
    body: { name: 'db', targets: null },
    ...overrides,
  } as ClusterMessage;
}

describe('message signing (HMAC-SHA256 over the exact message text)', () => {
  const signer = new ClusterMessageSigner(KEY);

  it('opens what it sealed', () => {
    expect(signer.open(signer.seal(message()))).toEqual({ ok: true, message: message() });
  });

  it('drops an unsigned message when it has a key', () => {
    expect(signer.open(new ClusterMessageSigner(null).seal(message()))).toEqual({ ok: false, reason: 'unsigned' });
  });

  it('drops a message signed with another key', () => {
    const other = new ClusterMessageSigner('another-key-of-enough-length');
    expect(signer.open(other.seal(message()))).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('drops a message changed after signing, however small the change', () => {
    const { m, s } = JSON.parse(signer.seal(message())) as { m: string; s: string };
    const changed = JSON.stringify({ m: m.replace('"db"', '"dc"'), s });
    expect(signer.open(changed)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(signer.open(JSON.stringify({ m, s: s.slice(0, -2) }))).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([['not json'], ['{"m": 3}'], ['null'], ['x'.repeat(70_000)]])('drops malformed input %#', (wire) => {
    expect(signer.open(wire)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('drops a well-signed message of an unknown shape as malformed', () => {
    expect(signer.open(signer.seal({ ...message(), kind: 'explode' } as unknown as ClusterMessage))).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('without a key (insecure) seals unsigned and accepts unsigned', () => {
    const insecure = new ClusterMessageSigner(null);
    expect(insecure.signed).toBe(false);
    expect(insecure.open(insecure.seal(message()))).toEqual({ ok: true, message: message() });
  });

  it('does not show its key', () => {
    expect(JSON.stringify(signer)).not.toContain(KEY);
  });
});

describe('replay guard', () => {
  it('admits an id once; the same id again is replayed', () => {
    const guard = new ClusterReplayGuard(60_000);
    expect(guard.admit('a', 1_000, 1_000)).toBe('ok');
    expect(guard.admit('a', 1_000, 2_000)).toBe('replayed');
    expect(guard.admit('b', 1_000, 2_000)).toBe('ok');
  });

  it('refuses messages stamped outside the window, in the past or the future', () => {
    const guard = new ClusterReplayGuard(60_000);
    expect(guard.admit('old', 0, 60_001)).toBe('stale');
    expect(guard.admit('future', 200_000, 100_000)).toBe('stale');
  });

  it('forgets ids only once they could no longer be admitted anyway', () => {
    const guard = new ClusterReplayGuard(60_000);
    guard.admit('a', 0, 0);
    guard.prune(60_000);
    expect(guard.size).toBe(1);
    guard.prune(60_001);
    expect(guard.size).toBe(0);
    expect(guard.admit('a', 0, 60_001)).toBe('stale');
  });
});

describe('targets', () => {
  it('match ids exactly or by glob', () => {
    const targets = normalizeTargets('db', ['api-*', 'worker-?']);
    expect(isTargeted('api-7f9c', targets)).toBe(true);
    expect(isTargeted('worker-2', targets)).toBe(true);
    expect(isTargeted('worker-12', targets)).toBe(false);
    expect(isTargeted('xapi-1', targets)).toBe(false);
    expect(isTargeted('anything', normalizeTargets('db', undefined))).toBe(true);
  });

  it.each([[[]], [['a b']], [['a.b']], [[3]], ['']])('refuses %j', (targets) => {
    expect(() => normalizeTargets('db', targets)).toThrow(/targets/);
  });
});
