/**
 * `list` and `topology` against a real etcd: every column but the WAL ones matches
 * Patroni's own patronictl (3.0.2, installed here), and the title carries the system id
 * as 3.3.1 prints it; json / yaml / tsv carry the same fields. The WAL columns are
 * Patroni 4.1's (Receive LSN, Receive Lag, Replay LSN, Replay Lag, where 3.x printed
 * `Lag in MB`), checked against the values 4.1's rules give for these members.
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

/** 3.x's one WAL column and 4.1's four: set aside to compare the rest with patronictl 3.0.2. */
const OLD_LAG = 'Lag in MB';
const NEW_WAL = ['Receive LSN', 'Receive Lag', 'Replay LSN', 'Replay Lag', 'Lag'];
function withoutWal(rows: string[][]): string[][] {
  const header = rows[0] ?? [];
  const keep = header.map((c, i) => (c === OLD_LAG || NEW_WAL.includes(c) ? -1 : i)).filter((i) => i >= 0);
  return rows.map((r) => keep.map((i) => r[i] ?? ''));
}
const withoutWalKeys = (rows: Record<string, unknown>[]): Record<string, unknown>[] =>
  rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== OLD_LAG && !NEW_WAL.includes(k))));

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
    const lines = ours.stdout.split('\n');
    expect(withoutWal(cells(ours.stdout))).toEqual(withoutWal(cells(theirText)));
    // 3.3.1 and later splice ` Cluster: <scope> (<sysid>) ` into the top rule.
    const title = ` Cluster: plain (${SYSID}) `;
    const rule = lines[2]!;
    expect(lines[0]).toBe(rule[0] + title + rule.slice(1 + title.length));
    // 4.1: members that published only xlog_location (not streaming) show it as the replay position.
    expect(lines.slice(1)).toEqual([
      '| Member | Host           | Role    | State   | TL | Receive LSN | Lag | Replay LSN | Lag |',
      '+--------+----------------+---------+---------+----+-------------+-----+------------+-----+',
      '| node1  | 127.0.0.1:5432 | Leader  | running |  3 |             |     |            |     |',
      '| node2  | 127.0.0.1:5433 | Replica | running |  3 |     unknown |     |  0/3000000 |  16 |',
      '| node3  | 127.0.0.1:5434 | Replica | running |  3 |     unknown |     |  0/4000000 |   0 |',
      '+--------+----------------+---------+---------+----+-------------+-----+------------+-----+',
      '',
    ]);
  });

  it('shows tags and pending restart like patronictl, and streaming replicas as 3.3.1 does', async () => {
    const [ours, theirs] = await Promise.all([runCtl(['-c', tagged.configFile, 'list']), patronictl(['-c', tagged.configFile, 'list'])]);
    // Same columns and cells, except State: 3.3.1 shows a replica's replication_state.
    expect(withoutWal(cells(ours.stdout.replace(/streaming/g, 'running')))).toEqual(withoutWal(cells(theirs)));
    // A streaming member's position is its receive position (4.1).
    expect(ours.stdout).toContain('| node2  | 127.0.0.1:5433 | Replica | streaming |  3 |   0/3000000 |  16 |    unknown |     |                 | replicatefrom: node3 |');
  });

  it('-f json and -f yaml parse and carry the columns patronictl uses', async () => {
    const [json, theirJson] = await Promise.all([runCtl(['-c', plain.configFile, 'list', '-f', 'json']), patronictl(['-c', plain.configFile, 'list', '-f', 'json'])]);
    const [yaml, theirYaml] = await Promise.all([runCtl(['-c', tagged.configFile, 'list', '-f', 'yaml']), patronictl(['-c', tagged.configFile, 'list', '-f', 'yaml'])]);
    expect(json.stderr + yaml.stderr).toBe('');
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(withoutWalKeys(rows)).toEqual(withoutWalKeys(JSON.parse(theirJson)));
    expect(rows[0]).toEqual({ Cluster: 'plain', Member: 'node1', Host: '127.0.0.1:5432', Role: 'Leader', State: 'running', TL: 3 });
    // Machine formats keep both lag columns' own names; an empty cell is left out.
    expect(rows[1]).toEqual({ Cluster: 'plain', Member: 'node2', Host: '127.0.0.1:5433', Role: 'Replica', State: 'running', TL: 3, 'Receive LSN': 'unknown', 'Replay LSN': '0/3000000', 'Replay Lag': 16 });

    const ourYaml = parse(yaml.stdout) as Record<string, unknown>[];
    expect(withoutWalKeys(ourYaml)).toEqual(
      withoutWalKeys(parse(theirYaml)).map((r: Record<string, unknown>) =>
        r.Role === 'Replica' ? { ...r, State: 'streaming' } : r,
      ),
    );
    expect(ourYaml[1]).toMatchObject({ 'Receive LSN': '0/3000000', 'Receive Lag': 16, 'Replay LSN': 'unknown' });
  });

  it('-f tsv keeps the Cluster column; -e adds the optional columns; -t prints a timestamp first', async () => {
    const [tsv, theirTsv] = await Promise.all([runCtl(['-c', plain.configFile, 'list', '-f', 'tsv']), patronictl(['-c', plain.configFile, 'list', '-f', 'tsv'])]);
    const extended = await runCtl(['-c', plain.configFile, 'list', '-e', '-t']);
    const tsvRows = (text: string): string[][] => text.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(withoutWal(tsvRows(tsv.stdout))).toEqual(withoutWal(tsvRows(theirTsv)));
    expect(tsvRows(tsv.stdout)[2]).toEqual(['plain', 'node2', '127.0.0.1:5433', 'Replica', 'running', '3', 'unknown', '', '0/3000000', '16']);
    const [stamp, title, header] = extended.stdout.split('\n');
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(title).toContain(`Cluster: plain (${SYSID})`);
    expect(header).toMatch(/\| Receive LSN \| Lag \| Replay LSN \| Lag \| Pending restart \| Pending restart reason \| Scheduled restart \| Tags \|$/);
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
