/**
 * `?tag_K=V` filters on health checks: every one must name a configured tag whose value,
 * as Python's `str()` lower-cased for non-strings, equals V. Other parameters are ignored.
 */
import type { NodeState } from './node-state.js';
import type { HealthQuery } from './query.js';
import { pythonStr } from './python-str.js';

const TAG_PREFIX = 'tag_';

export function tagsMatch(state: NodeState, query: HealthQuery): boolean {
  for (const [key, values] of Object.entries(query)) {
    if (!key.startsWith(TAG_PREFIX)) continue;
    const wanted = values[0];
    if (wanted === undefined) continue;
    const name = key.slice(TAG_PREFIX.length);
    const actual = Object.hasOwn(state.tags, name) ? state.tags[name] : undefined;
    if (actual === undefined || actual === null) return false;
    const shown = typeof actual === 'string' ? actual : pythonStr(actual).toLowerCase();
    if (shown !== wanted) return false;
  }
  return true;
}
