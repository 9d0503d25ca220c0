/**
 * PostgreSQL refuses to run as root. An agent started as root (the test harness, the
 * demo — never a production install) runs the Postgres programs as the `postgres` user,
 * with ids read from /etc/passwd. Any other user runs them as itself.
 */
import { readFileSync } from 'node:fs';
import type { RunAs } from '@pgwarden/core';

export function postgresUserRunAs(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === 'postgres' && f.length >= 7) return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' };
  }
  return null;
}
