import type { UpstreamNode } from './upstream.js';

/** The leader a rewind or divergence check reads from. */
export interface RewindSource extends UpstreamNode {
  /**
   * From the leader's member key: false while a fresh primary has not yet run its
   * post-promote checkpoint (`checkpoint_after_promote: false`). undefined = not said.
   */
  readonly checkpointedAfterPromote?: boolean;
}

export type DivergenceVerdict =
  | { readonly needed: false; readonly reason: string }
  | { readonly needed: true; readonly reason: string };

/**
 * `rewound`: pg_rewind succeeded; start as a replica next.
 * `removed-for-reclone`: rewind was impossible or failed and the config
 * (`remove_data_directory_on_rewind_failure` / `…_on_diverged_timelines`) allowed
 * removing the data directory; clone next.
 */
export type RewindOutcome = 'rewound' | 'removed-for-reclone';
