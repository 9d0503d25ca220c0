/**
 * SIGHUP reloads patroni.yml in a running agent (real etcd and PostgreSQL 15), as
 * Patroni's reload_config: tags, log settings (to a rotating file), Postgres parameters
 * and pg_hba with a Postgres reload, the REST API moved to a new listen address; what
 * cannot change under a running agent is named in the log; an invalid file keeps the
 * running config.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eCluster, psql, waitFor, type AgentNode } from '../e2e/cluster.js';
import { waitForPrimary } from '../e2e/wait.js';

async function getJson(url: string): Promise<Record<string, any> | null> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return r.status === 200 ? ((await r.json()) as Record<string, any>) : null;
  } catch {
    return null;
  }
}

describe('SIGHUP reloads the configuration', () => {
  let cluster: E2eCluster;
  let node: AgentNode;

  beforeAll(async () => {
    cluster = await E2eCluster.create({ label: 'reload', nodes: 1 });
    node = cluster.nodes[0]!;
    cluster.start(node);
    await waitForPrimary(cluster);
  });

  afterAll(async () => {
    if (cluster) {
      await cluster.stop(node);
      await cluster.close();
    }
  });

  const logFile = (): string => join(node.dir, 'logs', 'patroni.log');
  const logText = (): string => (existsSync(logFile()) ? readFileSync(logFile(), 'utf8') : '');

  it('applies tags, log, postgresql and restapi changes, and names what needs a restart', async () => {
    const newApiPort = await freePort();
    const original = readFileSync(node.configPath, 'utf8');
    const edited = original
      .replace(`zone: ${node.name}-zone`, 'zone: reloaded-zone')
      .replace('namespace: /service', 'namespace: /elsewhere')
      .replace('log:\n  level: INFO', `log:\n  level: DEBUG\n  dir: ${join(node.dir, 'logs')}\n  file_size: 200000\n  file_num: 2`)
      .replace(`listen: 127.0.0.1:${node.apiPort}\n  connect_address: 127.0.0.1:${node.apiPort}`, `listen: 127.0.0.1:${newApiPort}\n  connect_address: 127.0.0.1:${newApiPort}`)
      .replace("    synchronous_commit: 'on'\n", "    synchronous_commit: 'on'\n    work_mem: 7MB\n    shared_buffers: 48MB\n")
      // postgresql.pg_hba, the last of the two pg_hba lists (bootstrap.pg_hba comes first).
      .replace(/( {2}pg_hba:\n {4}- local all all trust\n)(?![\s\S]* {2}pg_hba:)/, '$1    - host all all 10.9.9.9/32 md5\n')
      .concat('watchdog:\n  mode: off\n');
    // Every edit must have matched (a template change would silently test nothing).
    for (const marker of ['reloaded-zone', '/elsewhere', 'file_size: 200000', `127.0.0.1:${newApiPort}`, 'work_mem: 7MB', '10.9.9.9/32']) expect(edited).toContain(marker);
    writeFileSync(node.configPath, edited);
    process.kill(node.process!.pid!, 'SIGHUP');

    // The REST API moved: the new address answers with the new tags, the old one is closed.
    const status = await waitFor('the REST API on the new port', () => getJson(`http://127.0.0.1:${newApiPort}/patroni`), 30_000);
    expect(status.tags).toMatchObject({ zone: 'reloaded-zone' });
    expect(await getJson(`${node.apiUrl}/patroni`)).toBeNull();
    // Postgres got the new files and a reload: work_mem in force, shared_buffers waits for a restart.
    await waitFor('work_mem reloaded', () => psql(node, 'SHOW work_mem')[0] === '7MB', 30_000);
    expect(psql(node, "SELECT count(*) FROM pg_hba_file_rules WHERE address = '10.9.9.9'")[0]).toBe('1');
    await waitFor('pending_restart', async () => (await getJson(`http://127.0.0.1:${newApiPort}/patroni`))?.pending_restart === true, 30_000);
    // The member key follows: new tags and the new api_url, at the next cycle.
    await waitFor(
      'the member key with the new tags and api_url',
      async () => {
        const c = await getJson(`http://127.0.0.1:${newApiPort}/cluster`);
        const me = (c?.members as Record<string, any>[] | undefined)?.find((m) => m.name === node.name);
        return me?.tags?.zone === 'reloaded-zone' && String(me?.api_url).includes(`:${newApiPort}/`);
      },
      30_000,
    );
    // From the reload on, the log goes to log.dir at the new level; the namespace needs a restart.
    await waitFor('the reload summary in patroni.log', () => /INFO: Configuration reloaded: log, tags, postgresql, restapi, watchdog/.test(logText()), 30_000);
    expect(logText()).toMatch(/WARNING: Not reloadable, restart the agent to apply: namespace/);
    // The loop's own lines follow the log into the file.
    await waitFor("the loop's lines in the file", () => new RegExp(`INFO: .*I am \\(${node.name}\\)`).test(logText()), 30_000);
    (node as { apiUrl: string }).apiUrl = `http://127.0.0.1:${newApiPort}`;
  });

  it('an invalid file is refused with the reason and the running config stays', async () => {
    const good = readFileSync(node.configPath, 'utf8');
    writeFileSync(node.configPath, good.replace('zone: reloaded-zone', 'zone: broken-zone').replace(/restapi:\n  listen: [^\n]+/, 'restapi:\n  listen: no-port-here'));
    process.kill(node.process!.pid!, 'SIGHUP');
    await waitFor('the refusal in patroni.log', () => /ERROR: Configuration not reloaded: restapi\.listen/.test(logText()), 30_000);
    const status = await getJson(`${node.apiUrl}/patroni`);
    expect(status?.tags).toMatchObject({ zone: 'reloaded-zone' });
    expect(psql(node, 'SHOW work_mem')[0]).toBe('7MB');
    writeFileSync(node.configPath, good);
  });
});
