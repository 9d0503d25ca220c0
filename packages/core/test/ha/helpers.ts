import { decide, walk, type Action, type HaView } from '../../src/index.js';

/** A short, readable signature of an action for decision tables. */
export function sig(a: Action): string {
  switch (a.type) {
    case 'demote':
      return `demote:${a.mode}`;
    case 'follow':
      return `follow:${a.upstream?.name ?? 'none'}`;
    case 'startPostgres':
      return `start:${a.role}:${a.upstream?.name ?? 'none'}`;
    case 'clone':
      return `clone:${a.source?.name ?? 'none'}`;
    case 'writeSync':
      return `writeSync:[${a.standbys.join(',')}]`;
    case 'setSyncStandbyNames':
      return `ssn:${a.value ?? ''}`;
    case 'remember':
      return `remember:${Object.keys(a.patch).sort().join(',')}`;
    case 'sleep':
      return `sleep:${a.ms}`;
    case 'rewind':
      return `rewind:${a.leader.name}`;
    default:
      return a.type;
  }
}

/** Per-cycle bookkeeping, the lease guard (its own table: lease-guard-decide.test.ts) and log lines. */
const NOISE = new Set(['touchMember', 'syncSlots', 'armLeaseGuard', 'settleLeaseGuard', 'log']);

/** Runs decide() and follows `path` through its gates. */
export function run(v: HaView, path: string[] = []) {
  const d = decide(v);
  const { actions, leaf } = walk(d, path);
  return {
    decision: d,
    leaf,
    actions,
    /** Signatures without the per-cycle bookkeeping (member touch, slot pass, lease guard). */
    steps: actions.map(sig).filter((s) => !NOISE.has(s)),
    all: actions.map(sig),
  };
}
