/**
 * `list` and `topology` against a real etcd: the table matches Patroni's own patronictl
 * (3.0.2, installed here) byte for byte below the title, and the title carries the
 * system id as 3.3.1 prints it; json / yaml / tsv carry the same fields.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startEtcd, type EtcdCluster } from '@pgwarden/testkit';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSID, threeMembers, writeCluster, type WrittenCluster } from './support/dcs-cluster.js';
import { runCtl } from './support/run-ctl.js';

const PATRONICTL = '/usr/bin/patronictl';

async function patronictl(args: string[]): Promise<string> {
  try {
    return (await promisify(execFile)(PATRONICTL, args, { timeout: 60_000 })).stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${PATRONICTL} not found. Install it: apt-get install -y patroni`);
    throw error;
  }
}

/** The cells of a pretty table, trimmed, row by row. */
function cells(table: string): string[][] {
  return table
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

let etcd: EtcdCluster;
let plain: WrittenCluster; // replicas without replication_state: Patroni 3.0.2 and 3.3.1 agree on State
let tagged: WrittenCluster;
beforeAll(async () => {
  etcd = await startEtcd();
  plain = await writeCluster(etcd, 'plain');
  tagged = await writeCluster(etcd, 'tagged', {
    members: threeMembers({
      node2: { replication_state: 'streaming', tags: { replicatefrom: 'node3' } },
      node3: { replication_state: 'streaming', pending_restart: true },
    }),
  });
});
afterAll(async () => {
  await plain?.close();
  await tagged?.close();
  await etcd?.close();
});

describe('list', () => {
  it('prints the same table as patronictl, with the system id in the title', async () => {
    const [ours, theirText] = await Promise.all([runCtl(['-c', plain.configFile, 'list']), patronictl(['-c', plain.configFile, 'list'])]);
    expect(ours.stderr).toBe('');
    expect(ours.code).toBe(0);
    const theirs = theirText.split('\n');
    const lines = ours.stdout.split('\n');
    expect(lines.slice(1)).toEqual(theirs.slice(1));
    // 3.0.2 omits the sysid; 3.3.1 splices ` Cluster: <scope> (<sysid>) ` into the same top rule.
    const title = ` Cluster: plain (${SYSID}) `;
    const rule = theirs[0]!;
    expect(lines[0]).toBe(rule[0] + title + rule.slice(1 + title.length));
    expect(ours.stdout).toContain('| node1  | 127.0.0.1:5432 | Leader  | running |  3 |           |');
    expect(ours.stdout).toContain('| node2  | 127.0.0.1:5433 | Replica | running |  3 |        16 |');
    expect(ours.stdout).toContain('| node3  | 127.0.0.1:5434 | Replica | running |  3 |         0 |');
  });

  it('shows tags and pending restart like patronictl, and streaming replicas as 3.3.1 does', async () => {
    const [ours, theirs] = await Promise.all([runCtl(['-c', tagged.configFile, 'list']), patronictl(['-c', tagged.configFile, 'list'])]);
    // Same columns and cells, except State: 3.3.1 shows a replica's replication_state.
    expect(cells(ours.stdout.replace(/streaming/g, 'running'))).toEqual(cells(theirs));
    expect(ours.stdout).toContain('| node2  | 127.0.0.1:5433 | Replica | streaming |  3 |        16 |                 | replicatefrom: node3 |');
  });

  it('-f json and -f yaml parse and carry the columns patronictl uses', async () => {
    const [json, theirJson] = await Promise.all([runCtl(['-c', plain.configFile, 'list', '-f', 'json']), patronictl(['-c', plain.configFile, 'list', '-f', 'json'])]);
    const [yaml, theirYaml] = await Promise.all([runCtl(['-c', tagged.configFile, 'list', '-f', 'yaml']), patronictl(['-c', tagged.configFile, 'list', '-f', 'yaml'])]);
    expect(json.stderr + yaml.stderr).toBe('');
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(rows).toEqual(JSON.parse(theirJson));
    expect(rows[0]).toEqual({ Cluster: 'plain', Member: 'node1', Host: '127.0.0.1:5432', Role: 'Leader', State: 'running', TL: 3 });
    expect(rows[1]).toMatchObject({ Member: 'node2', Role: 'Replica', 'Lag in MB': 16 });

    expect(parse(yaml.stdout)).toEqual(
      parse(theirYaml).map((r: Record<string, unknown>) =>
        r.Role === 'Replica' ? { ...r, State: 'streaming' } : r,
      ),
    );
  });

  it('-f tsv keeps the Cluster column; -e adds the optional columns; -t prints a timestamp first', async () => {
    const [tsv, theirTsv] = await Promise.all([runCtl(['-c', plain.configFile, 'list', '-f', 'tsv']), patronictl(['-c', plain.configFile, 'list', '-f', 'tsv'])]);
    const extended = await runCtl(['-c', plain.configFile, 'list', '-e', '-t']);
    expect(tsv.stdout).toBe(theirTsv);
    const [stamp, title, header] = extended.stdout.split('\n');
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(title).toContain(`Cluster: plain (${SYSID})`);
    expect(header).toMatch(/\| Lag in MB \| Pending restart \| Pending restart reason \| Scheduled restart \| Tags \|$/);
  });

  it('topology nests a cascading replica under its replicatefrom parent', async () => {
    const [ours, theirs] = await Promise.all([runCtl(['-c', tagged.configFile, 'topology']), patronictl(['-c', tagged.configFile, 'topology'])]);
    expect(ours.stdout).toContain('| node1     |');
    expect(ours.stdout).toContain('| + node3   |');
    expect(ours.stdout).toContain('|   + node2 |');
    const names = (s: string) => s.split('\n').map((l) => l.split('|')[1]?.trim()).filter(Boolean);
    expect(names(ours.stdout)).toEqual(names(theirs));
  });

  it('fails with Error: and exit 1 for an unknown cluster and an unreachable DCS', async () => {
    const [unknown, down, missing] = await Promise.all([
      runCtl(['-c', plain.configFile, 'list', 'nosuch']),
      runCtl(['--dcs-url', 'etcd3://127.0.0.1:9', 'list', 'plain']),
      runCtl(['-c', '/nonexistent.yml', 'list']),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Error: Cluster nosuch does not exist/);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^Error: .*127\.0\.0\.1:9/);
    expect(missing.stderr).toBe('Error: Provided config file /nonexistent.yml not existing or no read rights. Check the -c/--config-file parameter\n');
  });

  it('--dcs-url finds the cluster without a config file', async () => {
    const res = await runCtl(['--dcs-url', `etcd3://${etcd.hosts[0]}`, 'list', 'plain', '-f', 'json']);
    expect(res.stderr).toBe('');
    expect((JSON.parse(res.stdout) as unknown[]).length).toBe(3);
  });
});
