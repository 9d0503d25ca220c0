/**
 * Checks on a whole document, wherever a key sits: no key may be one of
 * Object.prototype's names (setting-rules.ts), and nesting stays shallow. Patroni's
 * deepest key (`postgresql.parameters.<name>`, `slots.<name>.type`) is three levels
 * down, so a much deeper document is a mistake or an attack on recursive code (a 1 MB
 * body can nest 500,000 levels). The walk is iterative: the check itself cannot
 * overflow the stack.
 */
import { type ConfigChecker, isRecord, joinPath } from './checker.js';
import { isReservedKey, RESERVED_KEY_REASON } from './setting-rules.js';

export const MAX_CONFIG_DEPTH = 32;

/** Past this many, further shape issues are not listed (one fix usually clears them all). */
const MAX_SHAPE_ISSUES = 20;

/**
 * Adds the shape issues to `checker`, except inside a value that already has an issue
 * of its own (`hot_standby: {toString: 1}` is one problem, reported once, by the
 * parameter check): run it after the section checks.
 */
export function checkJsonShape(checker: ConfigChecker, path: string, value: unknown): void {
  const reported = checker.issues.map((issue) => issue.path);
  const insideReported = (at: string): boolean => reported.some((p) => at.startsWith(`${p}.`) || at.startsWith(`${p}[`));
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path, depth: 0 }];
  let count = 0;
  const report = (at: string, reason: string): void => {
    if (insideReported(at)) return;
    if (count++ < MAX_SHAPE_ISSUES) checker.issue(at || '(config)', undefined, reason);
  };
  while (stack.length > 0) {
    const item = stack.pop()!;
    const children = childrenOf(item.value, item.path);
    if (children.length === 0) continue;
    if (item.depth >= MAX_CONFIG_DEPTH) {
      report(item.path, `is nested deeper than ${MAX_CONFIG_DEPTH} levels; no Patroni setting is, so flatten or remove it`);
      continue;
    }
    if (isRecord(item.value)) {
      for (const key of Object.keys(item.value)) if (isReservedKey(key)) report(joinPath(item.path, key), RESERVED_KEY_REASON);
    }
    for (const [childPath, child] of children) stack.push({ value: child, path: childPath, depth: item.depth + 1 });
  }
}

/** `[path, value]` of each list item or own key (a sparse list's holes read as undefined). */
function childrenOf(value: unknown, path: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) out.push([joinPath(path, i), value[i] as unknown]);
  } else if (isRecord(value)) {
    for (const key of Object.keys(value)) out.push([joinPath(path, key), value[key]]);
  }
  return out;
}
