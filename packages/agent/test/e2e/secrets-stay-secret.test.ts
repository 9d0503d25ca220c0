/**
 * Issue #20: secrets stay secret. A two-node cluster on real etcd (with etcd auth on) and
 * PostgreSQL 15, configured with distinctive passwords for every secret pgwarden holds:
 * REST (`restapi.authentication`), patronictl (`ctl.authentication`), the superuser,
 * replication and rewind roles, and etcd (`etcd3.password`, given through the
 * environment as PATRONI_ETCD3_PASSWORD). It bootstraps, clones the replica (a custom
 * replica method that dumps its argv and environment, then pg_basebackup), and runs a
 * callback that does the same. Then no password may appear in:
 *  - the command line of any process (sampled from /proc every few ms from start to
 *    streaming, so short-lived pg_basebackup, pg_ctl, initdb and scripts are seen too),
 *  - the environment of any process but the agents themselves (PGPASSWORD never set),
 *  - the agents' output (log level DEBUG) or Postgres's log,
 *  - GET /patroni or GET /config,
 *  - `pgwarden --validate-config` output,
 *  - the callback's and the replica method's argv/environment dumps,
 *  - the configuration files Postgres reads (postgresql.conf, primary_conninfo…).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lookupOsUser } from '@pgwarden/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, patroni } from './api.js';
import { AGENT_BIN, E2eCluster, REPLICATION, SUPERUSER, waitFor, type AgentNode } from './cluster.js';
import { tails } from './wait.js';

const SECRETS = {
  rest: 'Secr3t-REST-xyz',
  ctl: 'Secr3t-CTL-xyz',
  superuser: 'Secr3t-SU-xyz',
  replication: 'Secr3t-REPL-xyz',
  rewind: 'Secr3t-RW-xyz',
  etcd: 'Secr3t-ETCD-xyz',
} as const;
const ALL = Object.values(SECRETS);

interface Finding {
  readonly where: string;
  readonly secret: string;
  readonly excerpt: string;
}

function findSecrets(where: string, text: string): Finding[] {
  const found: Finding[] = [];
  for (const secret of ALL) {
    const at = text.indexOf(secret);
    if (at >= 0) found.push({ where, secret, excerpt: text.slice(Math.max(0, at - 120), at + secret.length + 40).replace(/\0/g, ' ') });
  }
  return found;
}

function report(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.where}: ${f.secret} in …${f.excerpt}…`).join('\n');
}

/**
 * Samples every process's argv and environment while the cluster comes up. The agents
 * (which were given PATRONI_ETCD3_PASSWORD) and this test process are exempt from the
 * environment check only.
 */
class ProcSampler {
  readonly findings = new Map<string, Finding>();
  readonly seen = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly exemptEnv: () => ReadonlySet<number>) {}

  start(intervalMs = 20): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  sample(): void {
    const exempt = this.exemptEnv();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      const shown = cmdline.replace(/\0/g, ' ').trim();
      const program = shown.split(' ')[0]?.split('/').pop() ?? '';
      if (program) this.seen.add(program);
      for (const f of findSecrets(`argv of pid ${pid} (${shown.slice(0, 80)})`, shown)) this.findings.set(`${f.where}|${f.secret}`, f);
      // The agents hold their own environment (they were given the etcd password).
      if (pid === process.pid || exempt.has(pid) || (shown.includes(AGENT_BIN) && !shown.includes('--validate-config'))) continue;
      let environ = '';
      try {
        environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      } catch {
        continue;
      }
      const vars = environ.split('\0');
      const ppid = /PPid:\s+(\d+)/.exec(safeRead(`/proc/${pid}/status`))?.[1] ?? '?';
      for (const f of findSecrets(`environment of pid ${pid} (parent ${ppid}; ${shown.slice(0, 120)})`, environ)) this.findings.set(`${f.where}|${f.secret}`, f);
      if (vars.some((v) => v.startsWith('PGPASSWORD=')) && /postgres|pg_|initdb|callback|replica/.test(shown)) {
        const f = { where: `environment of pid ${pid} (${shown.slice(0, 80)})`, secret: 'PGPASSWORD', excerpt: 'PGPASSWORD is set' };
        this.findings.set(`${f.where}|PGPASSWORD`, f);
      }
    }
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** A script that appends its argv and environment to `out` (runs as the agent's user). */
function dumpScript(path: string, out: string, exitCode: number): void {
  writeFileSync(path, `#!/bin/sh\n{ echo "ARGV: $0 $*"; env; echo ---; } >> '${out}'\nexit ${exitCode}\n`);
  chmodSync(path, 0o755);
}

describe('pgwarden e2e: secrets stay secret', () => {
  let cluster: E2eCluster;
  let primary: AgentNode;
  let replica: AgentNode;
  let validated = '';
  let patroniDocs = '';
  let configDoc = '';
  /** Whether the sampler's way of reading an environment sees a secret that is there. */
  let canary = false;
  const sampler = new ProcSampler(() => new Set(cluster.nodes.map((n) => n.process?.pid ?? -1)));
  const savedEnv = process.env.PATRONI_ETCD3_PASSWORD;

  beforeAll(async () => {
    cluster = await E2eCluster.create({
      label: 'secrets-stay-secret',
      nodes: 2,
      extraYaml: `ctl:\n  authentication:\n    username: ctladmin\n    password: ${SECRETS.ctl}\n`,
    });
    // etcd with authentication on: a root user, then `auth enable`.
    const endpoint = cluster.etcd.endpoints[0]!;
    const ctl = (...args: string[]): string => execFileSync('etcdctl', ['--endpoints', endpoint, ...args]).toString();
    ctl('user', 'add', '--new-user-password', SECRETS.etcd, 'root');
    ctl('user', 'grant-role', 'root', 'root');
    ctl('auth', 'enable');
    // The etcd password comes through the environment, as Patroni's PATRONI_ETCD3_PASSWORD.
    process.env.PATRONI_ETCD3_PASSWORD = SECRETS.etcd;

    const pgUser = process.getuid?.() === 0 ? lookupOsUser('postgres') : null;
    for (const n of cluster.nodes) {
      const callback = join(n.dir, 'callback.sh');
      const method = join(n.dir, 'replica-method.sh');
      dumpScript(callback, join(n.dir, 'callback-dump.txt'), 0);
      dumpScript(method, join(n.dir, 'replica-method-dump.txt'), 1);
      if (pgUser) for (const p of [callback, method]) chownSync(p, pgUser.uid, pgUser.gid);
      let yaml = readFileSync(n.configPath, 'utf8');
      yaml = yaml
        .replace('level: INFO', 'level: DEBUG')
        .replace('\nrestapi:\n', `\nrestapi:\n  authentication:\n    username: restadmin\n    password: ${SECRETS.rest}\n`)
        .replace('\netcd3:\n', '\netcd3:\n  username: root\n')
        .replaceAll(`password: ${SUPERUSER.password}`, `password: ${SECRETS.superuser}`)
        .replaceAll(`password: ${REPLICATION.password}`, `password: ${SECRETS.replication}`)
        .replace(
          '  authentication:\n    superuser:\n',
          `  authentication:\n    rewind:\n      username: rewinder\n      password: ${SECRETS.rewind}\n    superuser:\n`,
        )
        .replace(
          '\npostgresql:\n',
          [
            '',
            'postgresql:',
            '  callbacks:',
            `    on_start: ${callback}`,
            `    on_role_change: ${callback}`,
            '  create_replica_methods: [dumpenv, basebackup]',
            '  dumpenv:',
            `    command: ${method}`,
            '    keep_data: true',
            '',
          ].join('\n'),
        );
      for (const secret of ALL.filter((s) => s !== SECRETS.etcd)) expect(yaml, 'the edited config carries every secret').toContain(secret);
      writeFileSync(n.configPath, yaml);
    }

    const r = spawnSync(process.execPath, [AGENT_BIN, '--validate-config', cluster.nodes[0]!.configPath], { encoding: 'utf8', timeout: 30_000 });
    validated = `${r.stdout}\n${r.stderr}`;

    sampler.start();
    cluster.start(cluster.nodes[0]!);
    primary = cluster.nodes[0]!;
    await waitFor('node1 running as primary', async () => {
      const s = await patroni(primary);
      return s?.role === 'primary' && s.state === 'running';
    }, 90_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${tails(cluster)}`);
    });
    replica = cluster.nodes[1]!;
    cluster.start(replica);
    await waitFor('node2 streaming', async () => {
      const s = await patroni(replica);
      return s?.state === 'running' && s.replication_state === 'streaming';
    }, 90_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${tails(cluster)}`);
    });
    // Let a loop or two run (touches, callbacks) before the snapshot of everything.
    await new Promise((r) => setTimeout(r, 2500));
    sampler.sample();
    sampler.stop();
    canary = readFileSync(`/proc/${primary.process!.pid}/environ`, 'utf8').includes(`PATRONI_ETCD3_PASSWORD=${SECRETS.etcd}`);
    for (const n of cluster.nodes) patroniDocs += `${n.name}: ${(await api(n, '/patroni')).text}\n`;
    configDoc = (await api(primary, '/config')).text;
  }, 240_000);

  afterAll(async () => {
    sampler.stop();
    if (savedEnv === undefined) delete process.env.PATRONI_ETCD3_PASSWORD;
    else process.env.PATRONI_ETCD3_PASSWORD = savedEnv;
    await cluster?.close();
  });

  it('no password in any process command line, nor in the environment of Postgres, its tools or scripts', () => {
    const agents = cluster.nodes.map((n) => `${n.name}=${n.process?.pid}`).join(' ');
    expect(report([...sampler.findings.values()]), `agents: ${agents}; programs seen: ${[...sampler.seen].join(' ')}`).toBe('');
    // The sampler did see the short-lived programs it is meant to check, and it reads an
    // environment well enough to find the password the agents were given.
    expect([...sampler.seen]).toEqual(expect.arrayContaining(['postgres']));
    expect(canary).toBe(true);
  });

  it('the callback and the replica method ran, and their argv and environment carry no password and no PGPASSWORD', () => {
    const callbackDump = cluster.nodes.map((n) => (existsSync(join(n.dir, 'callback-dump.txt')) ? readFileSync(join(n.dir, 'callback-dump.txt'), 'utf8') : '')).join('\n');
    const methodDump = existsSync(join(replica.dir, 'replica-method-dump.txt')) ? readFileSync(join(replica.dir, 'replica-method-dump.txt'), 'utf8') : '';
    expect(callbackDump, 'the on_start/on_role_change callback ran').toMatch(/ARGV: .*callback\.sh on_(start|role_change)/);
    expect(methodDump, 'the custom replica method ran').toMatch(/ARGV: .*replica-method\.sh .*--connstring=/);
    expect(report([...findSecrets('callback dump', callbackDump), ...findSecrets('replica method dump', methodDump)])).toBe('');
    expect(callbackDump).not.toMatch(/^PGPASSWORD=/m);
    expect(methodDump).not.toMatch(/^PGPASSWORD=/m);
    expect(callbackDump).not.toMatch(/^PATRONI_ETCD3_PASSWORD=/m);
    // The replica method gets the passfile instead.
    expect(methodDump).toMatch(/^PGPASSFILE=/m);
  });

  it("no password in the agents' output (DEBUG) or Postgres's log", () => {
    const findings: Finding[] = [];
    for (const n of cluster.nodes) {
      expect(n.output.length, `${n.name} logged`).toBeGreaterThan(0);
      findings.push(...findSecrets(`${n.name} output`, n.output));
      if (existsSync(`${n.dataDir}.log`)) findings.push(...findSecrets(`${n.name} postgres log`, readFileSync(`${n.dataDir}.log`, 'utf8')));
    }
    expect(report(findings)).toBe('');
  });

  it('no password in GET /patroni or GET /config', () => {
    expect(patroniDocs).toContain('"role"');
    expect(configDoc).toContain('loop_wait');
    expect(report([...findSecrets('/patroni', patroniDocs), ...findSecrets('/config', configDoc)])).toBe('');
  });

  it('no password in --validate-config output', () => {
    expect(report(findSecrets('--validate-config', validated))).toBe('');
  });

  it('no password in the files Postgres reads (postgresql.conf, primary_conninfo, signal files)', () => {
    const findings: Finding[] = [];
    for (const n of cluster.nodes) {
      for (const name of readdirSync(n.dataDir)) {
        const path = join(n.dataDir, name);
        if (!statSync(path).isFile() || !/\.(conf|signal)$|^postmaster\.opts$/.test(name)) continue;
        findings.push(...findSecrets(`${n.name} ${name}`, readFileSync(path, 'utf8')));
      }
    }
    expect(report(findings)).toBe('');
  });
});
