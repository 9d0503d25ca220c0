/**
 * The member key's `tags`: Patroni publishes every configured tag, custom ones included
 * (`zone: a`), and drops only built-in boolean tags that are false (tags.py
 * `_filter_tags`). pgwarden used to publish only the tags it understood.
 */
import { describe, expect, it } from 'vitest';
import { buildMemberData, INITIAL_MEMORY, publishedTags, readTags, tagsForMemberKey } from '../../src/index.js';
import { nodeConfig, status } from './fixtures.js';

describe('member key tags', () => {
  it('publishes custom tags with their configured values', () => {
    const tags = readTags({ zone: 'a', rack: 7, dc: { name: 'x' }, nofailover: false, nosync: true, replicatefrom: 'n2' });
    expect(tagsForMemberKey(tags)).toEqual({ zone: 'a', rack: 7, dc: { name: 'x' }, nosync: true, replicatefrom: 'n2' });
  });

  it('drops false built-in booleans but keeps a false custom tag', () => {
    expect(publishedTags({ clonefrom: false, noloadbalance: false, nostream: false, nosync: false, custom: false })).toEqual({ custom: false });
  });

  it('keeps nofailover: false when failover_priority is also set (peers see the conflict)', () => {
    expect(publishedTags({ nofailover: false, failover_priority: 3 })).toEqual({ nofailover: false, failover_priority: 3 });
    expect(publishedTags({ nofailover: false })).toEqual({});
  });

  it('puts them in the member key, and omits `tags` when nothing is published', () => {
    const withTags = buildMemberData({
      node: nodeConfig({ tags: readTags({ zone: 'a', nofailover: true }) }),
      status: status(),
      observation: null,
      memory: INITIAL_MEMORY,
      task: null,
      paused: false,
    });
    expect(withTags.tags).toEqual({ zone: 'a', nofailover: true });
    const without = buildMemberData({
      node: nodeConfig({ tags: readTags({ nosync: false }) }),
      status: status(),
      observation: null,
      memory: INITIAL_MEMORY,
      task: null,
      paused: false,
    });
    expect(without.tags).toBeUndefined();
  });
});
