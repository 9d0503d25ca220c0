/**
 * The recovery settings of a standby cluster on real PostgreSQL 15: the standby leader
 * clones from the remote and streams from it through standby_cluster's slot, with its
 * restore_command, archive_cleanup_command and recovery_min_apply_delay; a change of
 * them is applied by a reload; a member that leaves the standby cluster loses them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import type { UpstreamNode } from '../../src/index.js';
import { makeNode, sql, stopAndClean, waitFor, type Node } from './helpers.js';

describe('LocalPostgresController as a standby leader', () => {
  let sandbox: PostgresSandbox;
  let remote: Node;
  let leader: Node;

  const standby = (delay: string): UpstreamNode => ({
    name: 'remote_member',
    connUrl: remote.connUrl,
    standby: {
      remote: true,
      primarySlotName: 'dr_slot',
      restoreCommand: 'test -f /nonexistent/%f && cp /nonexistent/%f %p',
      archiveCleanupCommand: 'true %r',
      recoveryMinApplyDelay: delay,
      createReplicaMethods: ['basebackup'],
    },
  });

  const show = async (name: string): Promise<string> => (await sql<{ v: string }>(leader, `SELECT current_setting('${name}') AS v`))[0]!.v;

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-standby-' });
    remote = await makeNode(sandbox, 'sb-remote', {});
    leader = await makeNode(sandbox, 'sb-leader', {});
  });

  afterAll(async () => {
    await remote?.controller.stop('immediate', { timeoutMs: 10_000 });
    await remote?.controller.close();
    await stopAndClean(sandbox, leader);
  });

  it('clones from the remote and streams through the standby_cluster slot with its commands', async () => {
    expect(await remote.controller.bootstrap()).toEqual({ ok: true });
    expect(await remote.controller.postBootstrap()).toEqual({ ok: true });
    await sql(remote, "SELECT pg_create_physical_replication_slot('dr_slot')");
    expect((await leader.controller.clone({ upstream: standby('0') })).ok).toBe(true);
    expect((await leader.controller.follow({ upstream: standby('0'), role: 'standby_leader' })).ok).toBe(true);
    expect(leader.controller.status().role).toBe('standby_leader');
    await waitFor('the standby leader streaming through dr_slot', async () => {
      const rows = await sql<{ active: boolean }>(remote, "SELECT active FROM pg_replication_slots WHERE slot_name = 'dr_slot'");
      return rows[0]?.active === true;
    });
    expect(await show('primary_slot_name')).toBe('dr_slot');
    expect(await show('restore_command')).toBe('test -f /nonexistent/%f && cp /nonexistent/%f %p');
    expect(await show('archive_cleanup_command')).toBe('true %r');
    expect(await show('recovery_min_apply_delay')).toBe('0');
    // Its own member name is not used as a slot on the remote.
    expect(await sql(remote, "SELECT 1 FROM pg_replication_slots WHERE slot_name = 'sb_leader'")).toEqual([]);
  });

  it('applies a changed recovery_min_apply_delay by a reload', async () => {
    expect(await leader.controller.follow({ upstream: standby('5min'), role: 'standby_leader' })).toEqual({ ok: true, value: 'reloaded' });
    await waitFor('recovery_min_apply_delay = 5min', async () => (await show('recovery_min_apply_delay')) === '5min');
  });

  it('drops the standby settings once it follows a member of a normal cluster', async () => {
    const plain = { name: remote.name, connUrl: remote.connUrl };
    expect((await leader.controller.follow({ upstream: plain, role: 'replica' })).ok).toBe(true);
    await waitFor('restore_command cleared', async () => (await show('restore_command')) === '');
    expect(await show('archive_cleanup_command')).toBe('');
    expect(await show('recovery_min_apply_delay')).toBe('0');
    expect(await show('primary_slot_name')).toBe('sb_leader');
  });
});
