/**
 * The member key's `role` for a primary and the versions beside it. Patroni 3.x (up to
 * 3.3.x) writes and expects `master` (patronictl before 4.0 takes any other leader role
 * for a standby leader); Patroni 4.0 writes `primary`. pgwarden announces the Patroni
 * protocol it speaks as `version` and its own release as `pgwarden_version`.
 */
import { describe, expect, it } from 'vitest';
import { buildMemberData, INITIAL_MEMORY, PATRONI_PROTOCOL_VERSION, primaryRoleName, type Member } from '../../src/index.js';
import { member, nodeConfig, status } from './fixtures.js';

const pgwarden = (name: string): Member => member(name, { version: PATRONI_PROTOCOL_VERSION, pgwarden_version: '0.1.0' });

function primaryKey(members: readonly Member[] | null) {
  return buildMemberData({
    node: nodeConfig({ version: PATRONI_PROTOCOL_VERSION, pgwardenVersion: '0.1.0' }),
    status: status({ state: 'running', role: 'primary' }),
    observation: null,
    memory: INITIAL_MEMORY,
    task: null,
    paused: false,
    members,
  });
}

describe('how the member key names the primary', () => {
  it('`master` while a Patroni 3.x member is in the cluster (3.0.2 and 3.3.11 alike)', () => {
    expect(primaryKey([pgwarden('n1'), member('n2', { version: '3.0.2' })]).role).toBe('master');
    expect(primaryRoleName([pgwarden('n1'), member('n2', { version: '3.3.11' })])).toBe('master');
  });

  it('`primary` among pgwarden nodes and Patroni 4+ only', () => {
    expect(primaryKey([pgwarden('n1'), pgwarden('n2')]).role).toBe('primary');
    expect(primaryRoleName([pgwarden('n1'), member('n2', { version: '4.0.0' })])).toBe('primary');
  });

  it('`master` when the members are unknown: every Patroni reads it', () => {
    expect(primaryKey(null).role).toBe('master');
  });

  it('other roles are written as they are', () => {
    const key = buildMemberData({
      node: nodeConfig(),
      status: status({ state: 'running', role: 'replica' }),
      observation: null,
      memory: INITIAL_MEMORY,
      task: null,
      paused: false,
      members: [member('n2', { version: '3.0.2' })],
    });
    expect(key.role).toBe('replica');
  });

  it('announces the protocol version and pgwarden\'s own release separately', () => {
    const key = primaryKey([pgwarden('n1')]);
    expect(key.version).toBe(PATRONI_PROTOCOL_VERSION);
    expect(key.pgwarden_version).toBe('0.1.0');
  });
});
