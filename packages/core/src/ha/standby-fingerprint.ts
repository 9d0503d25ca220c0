/**
 * The standby_cluster settings a follow applied, as one comparable string: a changed
 * restore_command or slot must be written even when the upstream stays the same.
 */
import type { UpstreamNode } from '../postgres/upstream.js';

export function standbyFingerprint(upstream: UpstreamNode | null): string | null {
  return upstream?.standby ? JSON.stringify(upstream.standby) : null;
}
