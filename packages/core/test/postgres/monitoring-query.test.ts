/**
 * The monitoring query reads cheaper sources than the statistics views (the functions
 * under them, pg_lsn instead of numeric, the control file only while it can differ, the
 * server version and postmaster start once per session), and must still report exactly
 * what the views say. Here: a primary with a streaming standby, the standby's physical
 * slot and a logical slot; the standby after a replayed transaction; and a promotion,
 * through which the same session must report the control file's checkpoint timeline until
 * the new timeline's checkpoint. Each comparison is taken between two identical answers,
 * so WAL written in between (a checkpoint, a standby reply) cannot make it flaky.
 *
 * It also checks the statements stay prepared: one parse per statement per session and a
 * generic plan every execution (pg_prepared_statements of the very session).
 */
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import type { PostgresObservation } from '../../src/index.js';
import { MONITORING_STATEMENT, MONITORING_STATEMENT_PRIMARY, runMonitoringQuery } from '../../src/postgres/local/monitoring-query.js';
import { makeNode, SUPERUSER, sql, stopAndClean, waitFor, type Node } from './helpers.js';

type Row = Record<string, unknown>;
const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const s = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** What the statistics views and plain functions say, mapped as the observation defines each field. */
async function fromViews(c: pg.Client): Promise<Omit<PostgresObservation, 'observedAt'>> {
  const diff = (col: string): string => `pg_wal_lsn_diff(${col}, '0/0')::float8`;
  const [node] = (
    await c.query<Row>(`SELECT pg_is_in_recovery() AS rec,
      CASE WHEN pg_is_in_recovery() THEN 0 ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS tli,
      CASE WHEN pg_is_in_recovery() THEN NULL ELSE ${diff('pg_current_wal_flush_lsn()')} END AS flush,
      ${diff('pg_last_wal_receive_lsn()')} AS receive, ${diff('pg_last_wal_replay_lsn()')} AS replay,
      CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END AS paused,
      (extract(epoch FROM pg_last_xact_replay_timestamp()) * 1000)::float8 AS replayed_at,
      (SELECT timeline_id FROM pg_control_checkpoint()) AS ckpt,
      current_setting('synchronous_standby_names') AS ssn, current_setting('synchronous_commit') AS sc,
      (extract(epoch FROM pg_postmaster_start_time()) * 1000)::float8 AS started,
      current_setting('server_version_num')::int AS version`)
  ).rows;
  const [w] = (await c.query<Row>('SELECT status, slot_name, conninfo, sender_host, sender_port, received_tli FROM pg_stat_wal_receiver')).rows;
  const replication = (
    await c.query<Row>(`SELECT pid, application_name, state, sync_state, ${diff('sent_lsn')} AS sent, ${diff('write_lsn')} AS write,
      ${diff('flush_lsn')} AS flush, ${diff('replay_lsn')} AS replay FROM pg_stat_replication ORDER BY pid`)
  ).rows;
  const slots = (
    await c.query<Row>(`SELECT slot_name, slot_type, plugin, database, active, ${diff('restart_lsn')} AS restart,
      ${diff('confirmed_flush_lsn')} AS confirmed, wal_status, temporary, xmin::text AS xmin FROM pg_replication_slots ORDER BY slot_name`)
  ).rows;
  const rec = Boolean(node!['rec']);
  const receiver = w ? { status: String(w['status']), slotName: s(w['slot_name']), conninfo: s(w['conninfo']), senderHost: s(w['sender_host']), senderPort: n(w['sender_port']), receivedTimeline: n(w['received_tli']) } : null;
  const receive = n(node!['receive']);
  const replay = n(node!['replay']);
  return {
    inRecovery: rec,
    timeline: rec ? (receiver?.receivedTimeline ?? Number(node!['ckpt'])) : Number(node!['tli']),
    walPosition: rec ? Math.max(receive ?? 0, replay ?? 0) : Number(node!['flush']),
    receiveLsn: receive,
    replayLsn: replay,
    replayPaused: Boolean(node!['paused']),
    replayTimestampMs: n(node!['replayed_at']),
    walReceiver: receiver,
    replication: replication.map((r) => ({
      pid: Number(r['pid']),
      applicationName: String(r['application_name']),
      state: String(r['state']),
      syncState: String(r['sync_state']),
      sentLsn: n(r['sent']),
      writeLsn: n(r['write']),
      flushLsn: n(r['flush']),
      replayLsn: n(r['replay']),
    })),
    slots: slots.map((r) => ({
      name: String(r['slot_name']),
      type: r['slot_type'] === 'logical' ? 'logical' : 'physical',
      plugin: s(r['plugin']),
      database: s(r['database']),
      active: Boolean(r['active']),
      restartLsn: n(r['restart']),
      confirmedFlushLsn: n(r['confirmed']),
      walStatus: s(r['wal_status']),
      temporary: Boolean(r['temporary']),
      xmin: s(r['xmin']),
    })),
    synchronousStandbyNames: String(node!['ssn']),
    synchronousCommit: String(node!['sc']),
    postmasterStartedAt: Number(node!['started']),
    checkpointTimeline: Number(node!['ckpt']),
    serverVersion: Number(node!['version']),
  };
}

/** The query's answer, in the views' order (pid, slot name), without the clock reading. */
function comparable(o: PostgresObservation): Omit<PostgresObservation, 'observedAt'> {
  const { observedAt: _, ...rest } = o;
  return {
    ...rest,
    replication: [...o.replication].sort((a, b) => a.pid - b.pid),
    slots: [...o.slots].sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

/** Query, views, query again, until both answers agree (nothing moved in between); returns both sides. */
async function settledPair(monitor: pg.Client, admin: pg.Client): Promise<{ query: Omit<PostgresObservation, 'observedAt'>; views: Omit<PostgresObservation, 'observedAt'> }> {
  let last: unknown;
  for (let i = 0; i < 50; i++) {
    const before = comparable(await runMonitoringQuery(monitor, 0));
    const views = await fromViews(admin);
    const after = comparable(await runMonitoringQuery(monitor, 0));
    if (isDeepStrictEqual(before, after)) return { query: after, views };
    last = { before, after };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the monitoring query never gave the same answer twice in a row: ${JSON.stringify(last)}`);
}

function socketClient(node: Node): pg.Client {
  return new pg.Client({ host: String(node.config.parameters?.['unix_socket_directories']), port: node.port, user: SUPERUSER.username, database: 'postgres' });
}

/** The session's own prepared statements: how often each was planned generically or per call. */
async function preparedStatements(c: pg.Client): Promise<Record<string, { generic: number; custom: number }>> {
  const rows = (await c.query<Row>("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'pgwarden%'")).rows;
  return Object.fromEntries(rows.map((r) => [String(r['name']), { generic: Number(r['generic_plans']), custom: Number(r['custom_plans']) }]));
}

describe('the monitoring query on PostgreSQL 15 reports what the statistics views report', () => {
  let sandbox: PostgresSandbox;
  let primary: Node;
  let standby: Node;
  const clients: pg.Client[] = [];

  async function connect(node: Node): Promise<pg.Client> {
    const c = socketClient(node);
    // The primary stops for the promotion: its sessions end, which is no failure here.
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-monq-' });
    primary = await makeNode(sandbox, 'monqprimary', { wal_level: 'logical' });
    standby = await makeNode(sandbox, 'monqstandby', { wal_level: 'logical' });
    expect(await primary.controller.bootstrap()).toEqual({ ok: true });
    expect(await primary.controller.postBootstrap()).toEqual({ ok: true });
    expect((await primary.controller.syncSlots({ desired: [{ name: standby.name, type: 'physical' }], dropUndesired: false }, { timeoutMs: 10_000 })).ok).toBe(true);
    await sql(primary, "SELECT pg_create_logical_replication_slot('monq_logical', 'test_decoding')");
    const upstream = { name: primary.name, connUrl: primary.connUrl };
    expect((await standby.controller.clone({ upstream })).ok).toBe(true);
    expect(await standby.controller.start({ role: 'replica', upstream })).toEqual({ ok: true });
    await waitFor('the standby streaming through its slot', async () => {
      const rows = await sql<{ state: string }>(primary, 'SELECT state FROM pg_stat_replication');
      const slot = await sql<{ active: boolean }>(primary, `SELECT active FROM pg_replication_slots WHERE slot_name = '${standby.name}'`);
      return rows[0]?.state === 'streaming' && slot[0]?.active;
    }, 30_000);
    // A replayed transaction: the standby then has a replay timestamp.
    await sql(primary, 'CREATE TABLE monq (i int); INSERT INTO monq VALUES (1)');
    await waitFor('the standby to replay the insert', async () => (await sql<{ i: number }>(standby, 'SELECT i FROM monq')).length === 1, 30_000);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await stopAndClean(sandbox, standby, primary);
  });

  it('on a primary with a streaming standby, its physical slot and a logical slot', async () => {
    const monitor = await connect(primary);
    const { query, views } = await settledPair(monitor, await connect(primary));
    expect(query).toEqual(views);
    // The case is the one meant: the fields the cheaper sources feed are all there.
    expect(query.replication).toHaveLength(1);
    expect(query.replication[0]).toMatchObject({ applicationName: standby.name, state: 'streaming' });
    expect(query.slots.map((x) => [x.name, x.type, x.database, x.plugin, x.active])).toEqual([
      ['monq_logical', 'logical', 'postgres', 'test_decoding', false],
      [standby.name, 'physical', null, null, true],
    ]);
    expect(query.slots.every((x) => x.walStatus === 'reserved' && x.restartLsn !== null)).toBe(true);
    expect(query.checkpointTimeline).toBe(1);
  });

  it('on the standby, with its WAL receiver and a replayed transaction', async () => {
    const monitor = await connect(standby);
    const { query, views } = await settledPair(monitor, await connect(standby));
    expect(query).toEqual(views);
    expect(query.inRecovery).toBe(true);
    expect(query.walReceiver).toMatchObject({ status: 'streaming', slotName: standby.name, receivedTimeline: 1 });
    expect(query.replayTimestampMs).not.toBeNull();
  });

  it('parses each statement once per session and plans it generically every time', async () => {
    const monitor = await connect(primary);
    for (let i = 0; i < 12; i++) await runMonitoringQuery(monitor, 0);
    const prepared = await preparedStatements(monitor);
    // The first answer showed the primary's checkpoint on its timeline: from the second
    // on, the statement that leaves the control file alone.
    expect(prepared).toEqual({ [MONITORING_STATEMENT]: { generic: 1, custom: 0 }, [MONITORING_STATEMENT_PRIMARY]: { generic: 11, custom: 0 } });
    // A standby keeps the one that reads the control file.
    const onStandby = await connect(standby);
    for (let i = 0; i < 7; i++) await runMonitoringQuery(onStandby, 0);
    expect(await preparedStatements(onStandby)).toEqual({ [MONITORING_STATEMENT]: { generic: 7, custom: 0 } });
  });

  it('through a promotion, the same session reports the checkpoint timeline the control file has', async () => {
    const monitor = await connect(standby);
    const admin = await connect(standby);
    await runMonitoringQuery(monitor, 0);
    expect(await primary.controller.stop('fast')).toEqual({ ok: true });
    expect(await standby.controller.promote()).toEqual({ ok: true });
    const differing: unknown[] = [];
    const seen = new Set<string>();
    await waitFor(
      'the promoted standby to checkpoint on timeline 2',
      async () => {
        const pair = await settledPair(monitor, admin);
        if (!isDeepStrictEqual(pair.query, pair.views)) differing.push(pair);
        seen.add(`${pair.query.timeline}/${pair.query.checkpointTimeline}`);
        return differing.length > 0 || (!pair.query.inRecovery && pair.query.checkpointTimeline === 2);
      },
      60_000,
    );
    expect(differing).toEqual([]);
    expect(seen.has('2/2')).toBe(true);
    // From then on the session uses the statement that skips the control file, and the
    // answer still agrees with it.
    const { query, views } = await settledPair(monitor, admin);
    expect(query).toEqual(views);
    expect(Object.keys(await preparedStatements(monitor)).sort()).toEqual([MONITORING_STATEMENT, MONITORING_STATEMENT_PRIMARY]);
  }, 90_000);
});
