import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PostgresSandbox } from '@pgwarden/testkit';

/**
 * Small shell scripts for callback/hook tests, in a sandbox directory the Postgres user
 * owns (the controller runs them as that user when the tests run as root). Each appends
 * `<ns-timestamp> <event> <argv…>` lines to one log file in that directory.
 */
export class ScriptDir {
  readonly dir: string;
  readonly log: string;

  constructor(sandbox: PostgresSandbox, name: string) {
    this.dir = sandbox.mkdir(name, 0o755);
    this.log = join(this.dir, 'calls.log');
  }

  /** Writes an executable script; `body` may use $LOG and $DIR. */
  script(name: string, body: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, `#!/bin/sh\nLOG='${this.log}'\nDIR='${this.dir}'\n${body}\n`, { mode: 0o755 });
    return path;
  }

  /** Creates a flag file the scripts test with `[ -f "$DIR/<flag>" ]`. */
  flag(name: string): void {
    writeFileSync(join(this.dir, name), '', { mode: 0o644 });
  }

  lines(): string[][] {
    let text = '';
    try {
      text = readFileSync(this.log, 'utf8');
    } catch {
      return [];
    }
    return text.split('\n').filter(Boolean).map((l) => l.split(' '));
  }
}

export function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
