#!/usr/bin/env node
/**
 * `pnpm bundle`: a self-contained pgwarden for hosts without a Node.js toolchain,
 * dist-bundle/pgwarden-<version>-linux-<arch>.tar.gz, holding
 *   node/bin/node          a copy of the Node.js running this script
 *   lib/node_modules/      @pgwarden/agent with core and the DCS adapters (the fence guard
 *                          ships inside core) and their dependencies, installed by npm
 *   bin/pgwarden, bin/pgwardenctl   launchers that run them with the bundled node
 *   systemd/pgwarden.service        the unit, ExecStart pointing at /opt/pgwarden
 * The packages are packed with `pnpm pack` (which builds them first), exactly what the
 * registry would serve. Options: --tarballs DIR (use tarballs packed already),
 * --out DIR (default dist-bundle/).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = join(ROOT, 'packages');

function option(name) {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (!value) fail(`${name} needs a directory`);
  return resolve(value);
}

function fail(message) {
  process.stderr.write(`bundle: ${message}\n`);
  process.exit(1);
}

function run(command, args, cwd) {
  const r = spawnSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  if (r.error) fail(`${command}: ${r.error.message}${r.error.code === 'ENOENT' ? ` (is ${command} installed and on PATH?)` : ''}`);
  if (r.status !== 0) fail(`${command} ${args.join(' ')} exited with ${r.status ?? r.signal}\n${r.stdout}`);
  return r.stdout;
}

/** The agent and every @pgwarden package it depends on, dependencies first (each build needs their dist). */
function publishedPackages() {
  const agent = JSON.parse(readFileSync(join(PACKAGES, 'agent', 'package.json'), 'utf8'));
  const ours = Object.keys(agent.dependencies ?? {}).filter((d) => d.startsWith('@pgwarden/') && d !== '@pgwarden/core').sort();
  return ['@pgwarden/core', ...ours, '@pgwarden/agent'].map((name) => join(PACKAGES, name.slice('@pgwarden/'.length)));
}

function packAll(into) {
  for (const dir of publishedPackages()) {
    process.stderr.write(`bundle: packing ${dir}\n`);
    run('pnpm', ['pack', '--pack-destination', into], dir);
  }
}

// Shell builtins only (readlink when present, to follow a symlink such as
// /usr/local/bin/pgwarden): the launcher works with any PATH, even an empty one.
const LAUNCHER = (entry) => `#!/bin/sh
# Runs ${entry} with the Node.js shipped in this bundle; PATH needs no node.
# exec keeps the PID, so systemd's main PID is the agent itself.
self=$0
if command -v readlink >/dev/null 2>&1; then self=$(readlink -f "$0"); fi
case $self in */*) here=\${self%/*} ;; *) here=. ;; esac
exec "$here/../node/bin/node" "$here/../lib/node_modules/@pgwarden/agent/bin/${entry}.js" "$@"
`;

function main() {
  if (process.platform !== 'linux') fail(`bundles are built for Linux; this is ${process.platform}`);
  const agent = JSON.parse(readFileSync(join(PACKAGES, 'agent', 'package.json'), 'utf8'));
  const name = `pgwarden-${agent.version}-linux-${process.arch}`;
  const out = option('--out') ?? join(ROOT, 'dist-bundle');
  const work = mkdtempSync(join(tmpdir(), 'pgwarden-bundle-'));
  try {
    let tarballDir = option('--tarballs');
    if (!tarballDir) {
      tarballDir = join(work, 'tarballs');
      mkdirSync(tarballDir);
      packAll(tarballDir);
    }
    const tarballs = readdirSync(tarballDir).filter((f) => f.endsWith('.tgz')).map((f) => join(tarballDir, f));
    if (!tarballs.some((t) => t.includes('pgwarden-agent-'))) fail(`no pgwarden-agent tarball in ${tarballDir}`);

    const stage = join(work, name);
    mkdirSync(join(stage, 'node', 'bin'), { recursive: true });
    copyFileSync(process.execPath, join(stage, 'node', 'bin', 'node'));
    chmodSync(join(stage, 'node', 'bin', 'node'), 0o755);
    process.stderr.write(`bundle: installing ${tarballs.length} packages with their dependencies\n`);
    run('npm', ['install', '--global', '--prefix', stage, '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], work);
    // npm's own links rely on `node` in PATH: replace them with launchers of the bundled node.
    rmSync(join(stage, 'bin'), { recursive: true, force: true });
    mkdirSync(join(stage, 'bin'));
    for (const entry of ['pgwarden', 'pgwardenctl']) {
      writeFileSync(join(stage, 'bin', entry), LAUNCHER(entry), { mode: 0o755 });
    }
    const unit = readFileSync(join(PACKAGES, 'agent', 'systemd', 'pgwarden.service'), 'utf8').replace(/^ExecStart=\S+/m, 'ExecStart=/opt/pgwarden/bin/pgwarden');
    mkdirSync(join(stage, 'systemd'));
    writeFileSync(join(stage, 'systemd', 'pgwarden.service'), unit);
    copyFileSync(join(ROOT, 'LICENSE'), join(stage, 'LICENSE'));
    writeFileSync(
      join(stage, 'README'),
      `pgwarden ${agent.version}, self-contained for linux-${process.arch} (Node.js ${process.version} inside; needs glibc and libstdc++).\n\n` +
        `  tar -xzf ${name}.tar.gz -C /opt && ln -sfn /opt/${name} /opt/pgwarden\n` +
        '  /opt/pgwarden/bin/pgwarden --version\n\n' +
        'systemd/pgwarden.service runs /opt/pgwarden/bin/pgwarden. Guide: https://github.com/pgwarden/pgwarden/blob/main/docs/install.md\n',
    );

    mkdirSync(out, { recursive: true });
    const archive = join(out, `${name}.tar.gz`);
    run('tar', ['-czf', archive, '-C', work, name], work);
    process.stdout.write(`${archive}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
