import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { postgresBinDir } from '@pgwarden/testkit';
import type { LocalConfig } from '../../src/config/local-config.js';
import { loadStartConfig } from '../../src/daemon/config-load.js';
import { createLogger, type DaemonLogger } from '../../src/daemon/log.js';

/** A valid patroni.yml in `dir` (nothing is started from it), with `extra` appended. */
export function writeConfig(dir: string, etcdHosts: string, extra = ''): string {
  const file = join(dir, 'patroni.yml');
  writeFileSync(
    file,
    `scope: daemon-test
name: node1
restapi:
  listen: 127.0.0.1:18009
  connect_address: 127.0.0.1:18009
etcd3:
  hosts: ${etcdHosts}
postgresql:
  listen: 127.0.0.1:15433
  connect_address: 127.0.0.1:15433
  data_dir: ${join(dir, 'data')}
  bin_dir: ${postgresBinDir()}
  authentication:
    superuser: {username: postgres, password: a}
    replication: {username: replicator, password: b}
${extra}`,
  );
  return file;
}

export async function loadConfig(file: string): Promise<LocalConfig> {
  return (await loadStartConfig(file, {})).config;
}

/** A logger that keeps its lines. */
export function memoryLogger(): DaemonLogger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ format: 'plain', level: 'DEBUG', write: (l) => void lines.push(l.trimEnd()) });
  return Object.assign(logger, { lines });
}
