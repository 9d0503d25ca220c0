/**
 * Who the PostgreSQL programs run as. Postgres refuses to run as root, so an agent that
 * runs as root (tests, the demo) starts them as an unprivileged user. `cwd` and `HOME`
 * must be readable by that user.
 */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
  /** A directory the user can read; used as cwd and HOME. */
  readonly home: string;
}

export function spawnIdentity(runAs: RunAs | null): { uid?: number; gid?: number } {
  return runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
}
