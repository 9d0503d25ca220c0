/**
 * The controller's one kept session (monitor-connection.ts) is used by the HA loop and by
 * the REST API's live /patroni at the same time. Their statements must take turns: a
 * caller that sets something in the session and reads it back must see its own value,
 * and a caller that runs out of time waiting for its turn must fail without breaking the
 * session of the call in progress. Real PostgreSQL 15.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSandbox } from '@pgwarden/testkit';
import { MonitorConnection } from '../../src/postgres/local/monitor-connection.js';
import { makeNode, type Node, stopAndClean, SUPERUSER } from './helpers.js';

describe('MonitorConnection: one session, calls take turns', () => {
  let sandbox: PostgresSandbox;
  let node: Node;
  const monitor = new MonitorConnection();
  const target = () => ({ host: '127.0.0.1', port: node.port, user: SUPERUSER.username, password: SUPERUSER.password });
  const opts = { deadlineMs: 5000, connectTimeoutMs: 3000 };

  beforeAll(async () => {
    sandbox = new PostgresSandbox({ prefix: 'pgwarden-monitor-' });
    node = await makeNode(sandbox, 'mon', {});
    expect(await node.controller.bootstrap()).toEqual({ ok: true });
  });

  afterAll(async () => {
    monitor.drop();
    await stopAndClean(sandbox, node);
  });

  it('overlapping callers never interleave statements in the session', async () => {
    const caller = (value: string) =>
      monitor.run(target(), opts, async (client) => {
        await client.query(`SET application_name = '${value}'`);
        await client.query('SELECT pg_sleep(0.2)');
        return (await client.query<{ application_name: string }>('SHOW application_name')).rows[0]!.application_name;
      });
    const seen = await Promise.all([caller('first'), caller('second'), caller('third')]);
    expect(seen).toEqual(['first', 'second', 'third']);
    expect(monitor.connectionsOpened).toBe(1);
  });

  it('a caller out of time before its turn fails, and the call in progress keeps its session', async () => {
    const opened = monitor.connectionsOpened;
    const long = monitor.run(target(), opts, async (client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.6)')).rows[0]!.pid);
    const late = monitor.run(target(), { ...opts, deadlineMs: 200 }, async () => 'never');
    await expect(late).rejects.toThrow(/within 200 ms/);
    const pid = await long;
    // The same session serves the next call: nothing was dropped by the late caller.
    const next = await monitor.run(target(), opts, async (client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    expect(next).toBe(pid);
    expect(monitor.connectionsOpened).toBe(opened);
  });
});
