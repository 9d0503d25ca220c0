/**
 * The planted bug for standby clusters: a primary whose cluster became a standby cluster
 * keeps running writable (its demote-cluster step is dropped), as if the section were
 * ignored. The standby-writer invariant (standby-check.ts) must notice.
 */
import { mapLeaves, type Decision } from '../src/ha/actions.js';
import type { EngineRewrite } from '../src/ha/loop.js';

function keepWritingInStandbyCluster(leaf: Decision): Decision {
  if (!leaf.actions.some((a) => a.type === 'demote' && a.mode === 'demote-cluster')) return leaf;
  return { ...leaf, actions: leaf.actions.filter((a) => !(a.type === 'demote' && a.mode === 'demote-cluster')) };
}

export const STANDBY_KEEPS_WRITING: EngineRewrite = { decision: (d) => mapLeaves(d, keepWritingInStandbyCluster) };
