import pg from 'pg';
import { freeLoopbackPort, PostgresSandbox } from '@pgwarden/testkit';
import { LocalPostgresController, MemoryLogger, type LocalPostgresConfig, type PostgresParameters } from '../../src/index.js';

export const SUPERUSER = { username: 'postgres', password: 'su-secret-1' };
export const REPLICATION = { username: 'replicator', password: 'rep-secret-2' };

export interface Node {
  readonly name: string;
  readonly port: number;
  readonly config: LocalPostgresConfig;
  readonly controller: LocalPostgresController;
  readonly logger: MemoryLogger;
  readonly connUrl: string;
}

export async function makeNode(
  sandbox: PostgresSandbox,
  name: string,
  dynamicParameters: PostgresParameters,
  overrides: Partial<LocalPostgresConfig> = {},
): Promise<Node> {
  const port = await freeLoopbackPort();
  const socketDir = sandbox.mkdir(`sock-${name}`, 0o755);
  const config: LocalPostgresConfig = {
    scope: 'walk',
    name,
    data_dir: sandbox.dataDirPath(`data-${name}`),
    listen: `127.0.0.1:${port}`,
    connect_address: `127.0.0.1:${port}`,
    authentication: { superuser: SUPERUSER, replication: REPLICATION },
    // mmap: the dynamic shared memory of a SIGKILLed postmaster goes with its data dir, not left in /dev/shm.
    parameters: { unix_socket_directories: socketDir, fsync: 'off', dynamic_shared_memory_type: 'mmap' },
    pg_hba: [
      'local all all trust',
      'host all all 127.0.0.1/32 md5',
      'host replication replicator 127.0.0.1/32 md5',
    ],
    pgpass: `${sandbox.root}/pgpass-${name}`,
    use_pg_rewind: true,
    use_slots: true,
    pg_ctl_timeout: 30,
    ...(sandbox.runAs ? { run_as: { uid: sandbox.runAs.uid, gid: sandbox.runAs.gid, home: sandbox.homeDir } } : {}),
    ...overrides,
  };
  const logger = new MemoryLogger();
  const controller = new LocalPostgresController({ config, logger, dynamicParameters, postmasterLog: `${sandbox.root}/${name}.log` });
  return { name, port, config, controller, logger, connUrl: `postgres://127.0.0.1:${port}/postgres` };
}

/** A superuser query over the node's Unix socket. */
export async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(node: Node, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({
    host: String(node.config.parameters?.['unix_socket_directories']),
    port: node.port,
    user: SUPERUSER.username,
    database: 'postgres',
    connectionTimeoutMillis: 3000,
  });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Polls `probe` until it returns a truthy value; fails with `what` after the deadline. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Test teardown: stop the nodes' Postgres, then check the sandbox has no postmaster left before removing it. */
export async function stopAndClean(sandbox: PostgresSandbox | undefined, ...nodes: (Node | undefined)[]): Promise<void> {
  for (const node of nodes) {
    await node?.controller.stop('immediate', { timeoutMs: 10_000 });
    await node?.controller.close();
  }
  const left = sandbox?.livePostmasters() ?? [];
  sandbox?.cleanup();
  if (left.length) throw new Error(`postmasters left running after the test: ${left.join(', ')}`);
}
