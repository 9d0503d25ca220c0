/**
 * A clean-prefix install, as a user gets it from the registry: every published package
 * is packed with `pnpm pack` (which rewrites workspace: ranges), the
 * tarballs go into an empty prefix with `npm install -g`, and the installed `pgwarden`
 * and `pgwardenctl` — not the workspace's — answer, validate a config, and run three
 * agents on real etcd and PostgreSQL 15: a leader whose GET /primary answers 200 and two
 * streaming replicas. The same tarballs make the self-contained bundle
 * (scripts/bundle.mjs, `pnpm bundle`), which must do the same with no node on PATH, and
 * an adapter author's project outside the workspace that runs the one-call kit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable, postgresBinDir } from '@pgwarden/testkit';
import { api } from './api.js';
import { E2eCluster, waitFor } from './cluster.js';
import { tails, waitForPrimary, waitForStreaming } from './wait.js';

const PACKAGES = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BUNDLE_SCRIPT = resolve(PACKAGES, '..', 'scripts', 'bundle.mjs');

/** The agent and every @pgwarden package it depends on: what `npm install -g @pgwarden/agent` brings. */
function publishedPackages(): { name: string; dir: string }[] {
  const agent = JSON.parse(readFileSync(join(PACKAGES, 'agent', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const ours = Object.keys(agent.dependencies).filter((d) => d.startsWith('@pgwarden/'));
  // Dependencies first, so each package's build finds the dist of what it imports.
  const order = ['@pgwarden/core', ...ours.filter((d) => d !== '@pgwarden/core').sort(), '@pgwarden/agent'];
  return order.map((name) => ({ name, dir: join(PACKAGES, name.slice('@pgwarden/'.length)) }));
}

/**
 * `pnpm pack` into a directory of its own. Its prepack (a build) is skipped: turbo built
 * every package before the tests, and a rebuild here would empty dist/ under the other
 * suites running beside this one. That prepack builds is checked in the manifest below.
 */
function pack(dir: string, into: string): Promise<void> {
  mkdirSync(into);
  return new Promise((resolvePack, reject) => {
    const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', npm_config_ignore_scripts: 'true' };
    const child = spawn('pnpm', ['pack', '--pack-destination', into], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePack();
      else reject(new Error(`pnpm pack in ${dir} failed (${code}):\n${output}`));
    });
  });
}

function sampleConfig(dataDir: string): string {
  return `scope: main
name: db1
restapi:
  listen: 0.0.0.0:8008
  connect_address: 10.0.0.11:8008
etcd3:
  hosts: [10.0.0.1:2379, 10.0.0.2:2379, 10.0.0.3:2379]
bootstrap:
  dcs:
    ttl: 30
    loop_wait: 10
    retry_timeout: 10
postgresql:
  listen: 0.0.0.0:5432
  connect_address: 10.0.0.11:5432
  data_dir: ${dataDir}
  bin_dir: ${postgresBinDir()}
  authentication:
    superuser: {username: postgres, password: su-secret}
    replication: {username: replicator, password: rep-secret}
`;
}

function run(command: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): string {
  const env = options.env ?? { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
  const r = spawnSync(command, args, { cwd: options.cwd, encoding: 'utf8', timeout: options.timeoutMs ?? 120_000, env });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.error?.message ?? ''}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The root's pinned dev tool versions: the consumer project installs the same. */
const ROOT_DEV_VERSIONS = (JSON.parse(readFileSync(resolve(PACKAGES, '..', 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;

/** An adapter author's module: the in-memory store behind core's guard, under a section of its own. */
const ADAPTER_SOURCE = `import { guardAdapter, MemoryDcs, MEMORY_CAPABILITIES, MemoryDcsServer, type DcsAdapterModule } from '@pgwarden/core';

export interface MySection { readonly label: string }

export function myAdapter(server: MemoryDcsServer): DcsAdapterModule<MySection> {
  let clients = 0;
  return {
    section: 'mystore',
    capabilities: MEMORY_CAPABILITIES,
    parseSection(raw) {
      const label = (raw as { label?: unknown } | null)?.label;
      if (typeof label !== 'string') return { ok: false, issues: [{ path: 'mystore.label', value: label, reason: 'must be a string' }] };
      return { ok: true, value: { label } };
    },
    async create(options) {
      const clientId = \`\${options.name}#\${++clients}\`;
      // Fail at start, with a DcsError, when the store does not answer (the kit checks this).
      await server.gate(clientId, AbortSignal.timeout(options.retryTimeoutSeconds * 1000));
      const raw = new MemoryDcs({ server, layout: options.layout, name: options.name, ttlSeconds: options.ttlSeconds, clientId });
      return guardAdapter(raw, { clock: options.clock, logger: options.logger, label: 'mystore' });
    },
  };
}
`;

/** Its test file: the whole kit in one call. */
const KIT_SOURCE = `import { MemoryDcsServer } from '@pgwarden/core';
import { runConformance } from '@pgwarden/core/testing';
import { myAdapter } from '../src/adapter.js';

const server = new MemoryDcsServer();
runConformance({
  module: myAdapter(server),
  server: {
    section: { label: 'kit' },
    readRaw: async (path) => server.get(path)?.value ?? null,
    stop: async () => server.setMode('down'),
    start: async () => server.setMode('up'),
    freeze: async () => server.setMode('frozen'),
    thaw: async () => server.setMode('up'),
  },
});
`;

describe('install from packed tarballs into an empty prefix', () => {
  let root: string;
  let prefix: string;
  let bundle: string;
  const tarballs = new Map<string, string>();
  let cluster: E2eCluster | undefined;
  let bundleCluster: E2eCluster | undefined;

  beforeAll(async () => {
    if (!findExecutable('pnpm')) throw new Error('pnpm is needed to pack the packages: npm install -g pnpm@10.34.8');
    if (!findExecutable('npm')) throw new Error('npm is needed to install the tarballs: it ships with Node.js');
    root = mkdtempSync('/tmp/pgwarden-install-');
    chmodSync(root, 0o755); // the installed agent runs as postgres when the tests run as root
    const packDir = join(root, 'tarballs');
    prefix = join(root, 'prefix');
    mkdirSync(packDir);
    mkdirSync(prefix);
    // Core first and the agent last (each build needs the dist of what it imports); the adapters side by side.
    const packages = publishedPackages();
    const [core, agent, adapters] = [packages[0]!, packages.at(-1)!, packages.slice(1, -1)];
    for (const stage of [[core], adapters, [agent]]) await Promise.all(stage.map((pkg) => pack(pkg.dir, join(packDir, pkg.name.slice('@pgwarden/'.length)))));
    for (const pkg of packages) {
      const made = readdirSync(join(packDir, pkg.name.slice('@pgwarden/'.length)));
      expect(made, `pnpm pack of ${pkg.name}`).toHaveLength(1);
      tarballs.set(pkg.name, join(packDir, pkg.name.slice('@pgwarden/'.length), made[0]!));
    }
    run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.values()], { cwd: root });
    const bundleInput = join(root, 'all-tarballs');
    mkdirSync(bundleInput);
    for (const t of tarballs.values()) copyFileSync(t, join(bundleInput, basename(t)));
    const archive = run(process.execPath, [BUNDLE_SCRIPT, '--tarballs', bundleInput, '--out', join(root, 'bundle')]).trim();
    expect(archive).toMatch(/\/pgwarden-\d+\.\d+\.\d+-linux-(x64|arm64)\.tar\.gz$/);
    run('tar', ['-xzf', archive, '-C', root]);
    bundle = archive.replace(/^.*\//, '').replace(/\.tar\.gz$/, '');
    bundle = join(root, bundle);
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
    await bundleCluster?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('a project outside the workspace writes an adapter against the packed core and passes the one-call kit', () => {
    // What an adapter author does: install core from its tarball (vitest and typescript
    // from the registry), write an adapter module, type-check it, run runConformance.
    const project = join(root, 'my-adapter');
    mkdirSync(join(project, 'src'), { recursive: true });
    mkdirSync(join(project, 'test'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-adapter', private: true, type: 'module' }));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, include: ['src', 'test'] }));
    writeFileSync(join(project, 'src', 'adapter.ts'), ADAPTER_SOURCE);
    writeFileSync(join(project, 'test', 'conformance.test.ts'), KIT_SOURCE);
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarballs.get('@pgwarden/core')!, `vitest@${ROOT_DEV_VERSIONS.vitest}`, `typescript@${ROOT_DEV_VERSIONS.typescript}`, `@types/node@${ROOT_DEV_VERSIONS['@types/node']}`], { cwd: project, timeoutMs: 180_000 });
    run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', project], { cwd: project });
    const out = run(join(project, 'node_modules', '.bin', 'vitest'), ['run', '--reporter=verbose'], { cwd: project, timeoutMs: 180_000, env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
    const passed = /Tests\s+(\d+) passed \((\d+)\)/.exec(out);
    console.log(`one-call kit from the core tarball, outside the workspace: ${passed?.[0] ?? out.slice(-400)}`);
    expect(passed, out.slice(-2000)).not.toBeNull();
    expect(Number(passed![1])).toBe(Number(passed![2]));
    expect(Number(passed![1])).toBeGreaterThanOrEqual(30);
  }, 300_000);

  it('ships built code with type declarations, the README and the LICENSE, and nothing from the source tree', () => {
    for (const [name, tarball] of tarballs) {
      const files = run('tar', ['-tzf', tarball]).split('\n').filter(Boolean);
      expect(files, name).toEqual(expect.arrayContaining(['package/package.json', 'package/README.md', 'package/LICENSE', 'package/dist/index.js', 'package/dist/index.d.ts']));
      expect(files.filter((f) => /^package\/(src|test|bench|sim|examples|node_modules)\//.test(f)), name).toEqual([]);
      const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'])) as Record<string, unknown>;
      expect(JSON.stringify(manifest), `${name}: workspace: ranges must be rewritten`).not.toContain('workspace:');
      expect(manifest, name).toMatchObject({ license: 'MIT', type: 'module', engines: { node: expect.stringMatching(/^>=20/) }, publishConfig: { access: 'public' } });
      // A pack (and so a publish) always builds first: no tarball without dist/ and its .d.ts.
      const source = publishedPackages().find((p) => p.name === name)!;
      const scripts = (JSON.parse(readFileSync(join(source.dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts;
      expect(scripts?.prepack, name).toBe('pnpm run build');
    }
    const agentFiles = run('tar', ['-tzf', tarballs.get('@pgwarden/agent')!]);
    expect(agentFiles).toContain('package/systemd/pgwarden.service');
    expect(agentFiles).toContain('package/bin/pgwarden.js');
  });

  it('the installed pgwarden prints its version, and pgwardenctl its help', () => {
    expect(run(join(prefix, 'bin', 'pgwarden'), ['--version'])).toMatch(/^pgwarden \d+\.\d+\.\d+ \(Patroni \d+\.\d+\.\d+ compatible\)\n$/);
    const help = run(join(prefix, 'bin', 'pgwardenctl'), ['--help']);
    expect(help).toContain('Usage: pgwardenctl [OPTIONS] COMMAND [ARGS]...');
    expect(help).toMatch(/^ {2}list +List the Patroni members/m);
    expect(run(join(prefix, 'bin', 'pgwardenctl'), ['list', '--help'])).toContain('-e, --extended');
  });

  it('the self-contained bundle runs with no node on PATH', () => {
    // No PATH entry at all: neither node nor coreutils. The launchers use the bundled node.
    const bare = { PATH: '/nonexistent', HOME: root };
    expect(run(join(bundle, 'bin', 'pgwarden'), ['--version'], { env: bare })).toMatch(/^pgwarden \d+\.\d+\.\d+ /);
    const help = run(join(bundle, 'bin', 'pgwardenctl'), ['--help'], { env: bare });
    expect(help).toContain('Usage: pgwardenctl [OPTIONS] COMMAND [ARGS]...');
    expect(readFileSync(join(bundle, 'node', 'bin', 'node')).length).toBeGreaterThan(1_000_000);
    // Validating loads the etcd adapter from inside the bundle.
    const sample = join(root, 'bundle-patroni.yml');
    writeFileSync(sample, sampleConfig(join(root, 'bundle-pgdata')));
    const validated = spawnSync(join(bundle, 'bin', 'pgwarden'), ['--validate-config', sample], { encoding: 'utf8', env: bare, timeout: 30_000 });
    expect({ status: validated.status, stderr: validated.stderr }).toEqual({ status: 0, stderr: '' });
    // The adapters and the fence guard are inside.
    for (const inside of ['core/dist/guard.sh', 'dcs-etcd/dist/index.js', 'dcs-zookeeper/dist/index.js', 'dcs-consul/dist/index.js']) {
      expect(() => readFileSync(join(bundle, 'lib', 'node_modules', '@pgwarden', inside)), inside).not.toThrow();
    }
    expect(readFileSync(join(bundle, 'systemd', 'pgwarden.service'), 'utf8')).toMatch(/^ExecStart=\/opt\/pgwarden\/bin\/pgwarden /m);
  });

  it('the installed agent validates a patroni.yml, then three of them form a cluster on real etcd and PostgreSQL 15', async () => {
    // A host's patroni.yml as the install guide shows it: validated by the installed copy, adapter included.
    const sample = join(root, 'patroni.yml');
    writeFileSync(sample, sampleConfig(join(root, 'pgdata')));
    const validated = spawnSync(join(prefix, 'bin', 'pgwarden'), ['--validate-config', sample], { encoding: 'utf8', timeout: 30_000 });
    expect({ status: validated.status, stdout: validated.stdout, stderr: validated.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
    writeFileSync(sample, sampleConfig(join(root, 'pgdata')).replace('ttl: 30', 'ttl: soon'));
    const refused = spawnSync(join(prefix, 'bin', 'pgwarden'), ['--validate-config', sample], { encoding: 'utf8', timeout: 30_000 });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('bootstrap.dcs.ttl');

    cluster = await E2eCluster.create({ label: 'install-from-tarballs', nodes: 3, agentCommand: [join(prefix, 'bin', 'pgwarden')] });
    for (const n of cluster.nodes) cluster.start(n);
    const node = await waitForPrimary(cluster, cluster.nodes, 90_000);
    await waitFor('/primary answers 200', async () => (await api(node, '/primary')).status === 200, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${tails(cluster!)}`);
    });
    await waitForStreaming(cluster, node, cluster.nodes.filter((n) => n !== node));
    // Every agent is the installed copy, not the workspace's.
    for (const n of cluster.nodes) {
      const cmdline = readFileSync(`/proc/${n.process!.pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline.some((a) => a.startsWith(prefix))).toBe(true);
    }
    await cluster.close();
    cluster = undefined;
  });

  it("the bundle's agents, with no node on PATH, form a three-node cluster too", async () => {
    // Every program of /usr/bin and /bin but Node.js and its package managers.
    const bin = join(root, 'path-without-node');
    mkdirSync(bin);
    for (const dir of ['/usr/bin', '/bin']) {
      for (const program of readdirSync(dir)) {
        if (/^(node|nodejs|npm|npx|pnpm|pnpx|corepack|yarn)$/.test(program)) continue;
        try {
          symlinkSync(join(dir, program), join(bin, program));
        } catch {
          /* the same name from both directories */
        }
      }
    }
    const path = `${bin}:/usr/sbin:/sbin`;
    expect(spawnSync('/bin/sh', ['-c', 'command -v node'], { env: { PATH: path } }).status).not.toBe(0);
    bundleCluster = await E2eCluster.create({ label: 'install-bundle', nodes: 3, agentCommand: ['/usr/bin/env', `PATH=${path}`, join(bundle, 'bin', 'pgwarden')] });
    for (const n of bundleCluster.nodes) bundleCluster.start(n);
    const node = await waitForPrimary(bundleCluster, bundleCluster.nodes, 90_000);
    await waitFor('/primary answers 200', async () => (await api(node, '/primary')).status === 200, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${tails(bundleCluster!)}`);
    });
    await waitForStreaming(bundleCluster, node, bundleCluster.nodes.filter((n) => n !== node));
    for (const n of bundleCluster.nodes) expect(readlinkSync(`/proc/${n.process!.pid}/exe`)).toBe(join(bundle, 'node', 'bin', 'node'));
  });
});
