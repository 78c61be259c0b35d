import { ConnectionsError } from '../errors/connection.errors.js';
import type { ClusterReply } from '../interfaces/cluster.interfaces.js';
import type { ResetOptions, ResetResult } from '../interfaces/reset-result.interface.js';
import { maskError } from '../utils/mask.util.js';
import type { Logger } from '@nestjs/common';
import type { ClusterMessageOf, ResetBody } from './cluster-message.js';
import type { ClusterOutbox } from './cluster.outbox.js';
import { isTargeted } from './instance-targets.js';

/** What the coordinator resets on this replica: the registry's local resets. */
export interface LocalResets {
  reset(name: string, opts?: ResetOptions): Promise<ResetResult>;
  resetAll(opts?: ResetOptions): Promise<ResetResult[]>;
}

/** This replica's answer to a reset body: its own result, or the masked message of its error. */
export type LocalResetReply = { ok: true; result: ResetResult | ResetResult[] } | { ok: false; error: string };

/** Runs a cluster reset on this replica's connections. Never throws. */
export async function resetLocally(local: LocalResets, body: ResetBody): Promise<LocalResetReply> {
  const opts: ResetOptions = {
    ...(body.strategy ? { strategy: body.strategy } : {}),
    ...(body.key !== undefined ? { key: body.key } : {}),
  };
  try {
    const result = body.name === null ? await local.resetAll(opts) : await local.reset(body.name, opts);
    return { ok: true, result };
  } catch (err) {
    // Our errors are masked at the source (M1); anything else is masked here.
    return { ok: false, error: err instanceof ConnectionsError ? err.message : maskError(err) };
  }
}

/** An `ack` message as the reply of the replica that sent it. */
export function replyOf(message: ClusterMessageOf<'ack'>): ClusterReply<unknown> {
  const body = message.body;
  return body.ok
    ? { instanceId: message.from, ok: true, result: body.result }
    : { instanceId: message.from, ok: false, error: body.error };
}

/** Another replica's reset: run it here when this replica is targeted, log it, and answer its sender. */
export async function answerReset(
  message: ClusterMessageOf<'reset'>,
  instanceId: string,
  local: LocalResets,
  outbox: ClusterOutbox,
  logger: Logger,
): Promise<void> {
  if (!isTargeted(instanceId, message.body.targets)) return;
  const reply = await resetLocally(local, message.body);
  const what = message.body.name === null ? 'all connections' : `"${message.body.name}"`;
  logger.log(`Cluster reset ${message.id} from "${message.from}": ${what} ${reply.ok ? 'reset' : `failed: ${reply.error}`}`);
  try {
    await outbox.send(message.from, 'ack', { re: message.id, ...reply });
  } catch (err) {
    logger.warn(`Could not answer cluster reset ${message.id}: ${maskError(err)}`);
  }
}
