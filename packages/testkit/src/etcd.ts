/**
 * Real etcd servers for tests: one or three members on free loopback ports, each in its
 * own temporary data directory, with the fast election timing the DCS tests rely on
 * (heartbeat 100 ms, election timeout 1 s, hence a minimum lease TTL of about 2 s).
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.js';
import { findExecutable, freezePid, isRunning, killProcess, onProcessExit, signal, spawnTracked, stopProcess } from './process.js';

export const ETCD_INSTALL_HINT = 'apt-get install -y etcd-server etcd-client';

export interface StartEtcdOptions {
  /** 1 (default) or 3 members. */
  readonly members?: 1 | 3;
  /** The etcd binary: a name looked up on PATH, or a path. Default `etcd`. */
  readonly binary?: string;
  /** PATH used to look the binary up; default the test process's PATH. */
  readonly path?: string;
  /** How long to wait for every member to report healthy; default 15 s. */
  readonly startTimeoutMs?: number;
  /** Extra command-line flags for every member (e.g. `--auto-compaction-retention`). */
  readonly extraArgs?: readonly string[];
  /**
   * Serve clients over TLS with certificates made here by `openssl`: a CA, a server
   * certificate for 127.0.0.1 (IP SAN) and a client certificate. `true` also requires
   * the client certificate (`--client-cert-auth`), as `{ clientCertAuth: false }` does not.
   * Peer traffic stays plain HTTP. Default: no TLS.
   */
  readonly tls?: boolean | { readonly clientCertAuth?: boolean };
}

/** PEM files made for a TLS etcd (all in the cluster's temporary directory). */
export interface EtcdTlsFiles {
  /** The CA that signed both certificates (patroni.yml `etcd3.cacert`). */
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** Client certificate (`etcd3.cert`), CN `pgwarden-client`. */
  readonly clientCertFile: string;
  /** Client key (`etcd3.key`). */
  readonly clientKeyFile: string;
  /** Whether the server refuses clients without a certificate signed by the CA. */
  readonly clientCertAuth: boolean;
}

export interface EtcdMember {
  readonly name: string;
  /** `http://127.0.0.1:<client port>` (`https://` with the `tls` option) */
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  /** PID of the running process, or null when stopped. */
  readonly pid: number | null;
  readonly running: boolean;
  /** SIGTERM by PID, wait for exit, SIGKILL after 5 s. Data stays on disk. */
  stop(): Promise<void>;
  /** Starts again on the same ports and data directory; waits until healthy. */
  start(): Promise<void>;
  /** SIGSTOP, returning once every thread has stopped: connections stay open, nothing answers. */
  freeze(): Promise<void>;
  /** SIGCONT. */
  thaw(): Promise<void>;
  /** SIGKILL, as a crashed host. */
  kill(): Promise<void>;
  /** The last lines etcd logged. */
  logTail(lines?: number): string;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Client URLs of every member. */
  readonly endpoints: readonly string[];
  /** `127.0.0.1:<port>` of every member, as patroni.yml's `etcd3.hosts` takes them. */
  readonly hosts: readonly string[];
  /** The certificates, when started with the `tls` option; else null. */
  readonly tls: EtcdTlsFiles | null;
  /** The member that is raft leader now (waits up to `timeoutMs` for an election to settle). */
  leader(timeoutMs?: number): Promise<EtcdMember>;
  /** Stops every member one after another and removes the temporary directory. */
  close(): Promise<void>;
}

export class EtcdStartError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EtcdStartError';
    this.code = code;
  }
}

interface MemberSpec {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
}

class Member implements EtcdMember {
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  private readonly logFile: string;
  private child: ChildProcess | null = null;

  constructor(
    readonly name: string,
    private readonly binary: string,
    private readonly args: readonly string[],
    spec: MemberSpec,
    root: string,
    private readonly startTimeoutMs: number,
    private readonly tls: EtcdTlsFiles | null = null,
  ) {
    this.clientUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${spec.clientPort}`;
    this.peerUrl = `http://127.0.0.1:${spec.peerPort}`;
    this.dataDir = join(root, name);
    this.logFile = join(root, `${name}.log`);
    mkdirSync(this.dataDir, { mode: 0o700 });
  }

  get pid(): number | null {
    return this.child && isRunning(this.child) ? (this.child.pid ?? null) : null;
  }

  get running(): boolean {
    return this.pid !== null;
  }

  /** Spawns the process without waiting for it to be healthy. */
  spawn(): void {
    if (this.running) return;
    const fd = openSync(this.logFile, 'a');
    try {
      this.child = spawnTracked(this.binary, this.args, { stdio: ['ignore', fd, fd], env: process.env });
    } finally {
      closeSync(fd);
    }
    this.child.once('error', () => {});
  }

  async start(): Promise<void> {
    this.spawn();
    await this.waitHealthy(this.startTimeoutMs);
  }

  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new EtcdStartError('etcd-exited', `etcd member ${this.name} exited during start-up.\n${this.logTail()}`);
      }
      try {
        const response = await get(`${this.clientUrl}/health`, this.tls, { timeoutMs: 1000 });
        const body = response.body;
        if (isHealthy(body)) return;
        last = `GET /health answered ${response.status} ${body.trim()}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(50);
    }
    throw new EtcdStartError(
      'etcd-start-timeout',
      `etcd member ${this.name} (${this.clientUrl}) not healthy after ${timeoutMs} ms (${last}).\n${this.logTail()}`,
    );
  }

  async stop(): Promise<void> {
    if (this.child) await stopProcess(this.child);
  }

  async freeze(): Promise<void> {
    if (this.child?.pid !== undefined && isRunning(this.child)) await freezePid(this.child.pid, 'etcd');
  }

  async thaw(): Promise<void> {
    if (this.child) signal(this.child, 'SIGCONT');
  }

  async kill(): Promise<void> {
    if (this.child) await killProcess(this.child);
  }

  logTail(lines = 20): string {
    try {
      const text = readFileSync(this.logFile, 'utf8').trimEnd().split('\n');
      return `--- last lines of ${this.logFile} ---\n${text.slice(-lines).join('\n')}`;
    } catch {
      return `(no log at ${this.logFile})`;
    }
  }

  /** `member_id` and the leader's id, from the JSON gateway's maintenance status. */
  async status(): Promise<{ id: string; leader: string }> {
    const response = await get(`${this.clientUrl}/v3/maintenance/status`, this.tls, { timeoutMs: 1000, body: '{}' });
    const body = JSON.parse(response.body) as { header?: { member_id?: string }; leader?: string };
    return { id: body.header?.member_id ?? '', leader: body.leader ?? '0' };
  }
}

/**
 * One HTTP(S) request (POST when `body` is given), trusting the test CA and presenting
 * the client certificate when the cluster has TLS. (`fetch` cannot take a CA here.)
 */
function get(
  url: string,
  tls: EtcdTlsFiles | null,
  options: { timeoutMs: number; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const requestOptions = {
      method: options.body === undefined ? 'GET' : 'POST',
      timeout: options.timeoutMs,
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      ...(tls && {
        ca: readFileSync(tls.caFile),
        cert: readFileSync(tls.clientCertFile),
        key: readFileSync(tls.clientKeyFile),
      }),
    };
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, requestOptions, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export const OPENSSL_INSTALL_HINT = 'apt-get install -y openssl';

/**
 * Makes a CA, a server certificate for 127.0.0.1 (IP SAN, and DNS localhost) and a
 * client certificate in `dir`, with `openssl`. EC P-256 keys: fast to make, and gRPC
 * and etcd accept them.
 */
export function makeEtcdCertificates(dir: string, clientCertAuth = true): EtcdTlsFiles {
  const openssl = findExecutable('openssl');
  if (!openssl) throw new EtcdStartError('openssl-missing', `openssl not found on PATH. Install it: ${OPENSSL_INSTALL_HINT}`);
  const run = (...args: string[]): void => {
    try {
      execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new EtcdStartError('openssl-failed', `openssl ${args.join(' ')} failed: ${stderr || (error as Error).message}`, { cause: error });
    }
  };
  const file = (name: string): string => join(dir, name);
  const key = (name: string): void => run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
  key('ca.key');
  run('req', '-x509', '-new', '-key', file('ca.key'), '-out', file('ca.crt'), '-days', '2', '-subj', '/CN=pgwarden test CA');
  const sign = (name: string, cn: string, extensions: string): void => {
    key(`${name}.key`);
    run('req', '-new', '-key', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(file(`${name}.ext`), extensions);
    run(
      'x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial',
      '-out', file(`${name}.crt`), '-days', '2', '-extfile', file(`${name}.ext`),
    );
  };
  sign('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  sign('client', 'pgwarden-client', 'extendedKeyUsage=clientAuth\n');
  return {
    caFile: file('ca.crt'),
    serverCertFile: file('server.crt'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.crt'),
    clientKeyFile: file('client.key'),
    clientCertAuth,
  };
}

function isHealthy(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { health?: unknown };
    return parsed.health === 'true' || parsed.health === true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The etcd binary's path, or an error that says how to install it. */
export function findEtcdBinary(binary = 'etcd', path?: string): string {
  const found = findExecutable(binary, path);
  if (!found) {
    throw new EtcdStartError(
      'etcd-missing',
      `etcd binary "${binary}" not found${binary.includes('/') ? '' : ' on PATH'}. Install it: ${ETCD_INSTALL_HINT}`,
    );
  }
  return found;
}

/** Starts an etcd cluster on free loopback ports and waits until every member is healthy. */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdCluster> {
  const count = options.members ?? 1;
  const binary = findEtcdBinary(options.binary, options.path);
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  const root = mkdtempSync(join(tmpdir(), 'pgwarden-etcd-'));
  const removeRoot = (): void => rmSync(root, { recursive: true, force: true });
  const unhook = onProcessExit(removeRoot);

  let tls: EtcdTlsFiles | null = null;
  try {
    if (options.tls) {
      const clientCertAuth = options.tls === true || options.tls.clientCertAuth !== false;
      const certDir = join(root, 'tls');
      mkdirSync(certDir, { mode: 0o700 });
      tls = makeEtcdCertificates(certDir, clientCertAuth);
    }
  } catch (error) {
    removeRoot();
    unhook();
    throw error;
  }
  const tlsArgs = tls
    ? [
        '--cert-file', tls.serverCertFile,
        '--key-file', tls.serverKeyFile,
        '--trusted-ca-file', tls.caFile,
        ...(tls.clientCertAuth ? ['--client-cert-auth'] : []),
      ]
    : [];
  const scheme = tls ? 'https' : 'http';

  const ports = await freePorts(count * 2);
  const specs: MemberSpec[] = Array.from({ length: count }, (_, i) => ({
    name: `e${i}`,
    clientPort: ports[2 * i]!,
    peerPort: ports[2 * i + 1]!,
  }));
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peerPort}`).join(',');
  const members = specs.map((spec) => {
    const client = `${scheme}://127.0.0.1:${spec.clientPort}`;
    const peer = `http://127.0.0.1:${spec.peerPort}`;
    const args = [
      '--name', spec.name,
      '--data-dir', join(root, spec.name),
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', `pgwarden-${specs[0]!.clientPort}`,
      '--heartbeat-interval', '100',
      '--election-timeout', '1000',
      '--log-level', 'warn',
      ...tlsArgs,
      ...(options.extraArgs ?? []),
    ];
    return new Member(spec.name, binary, args, spec, root, startTimeoutMs, tls);
  });

  const close = async (): Promise<void> => {
    // One after another: stopping all members of a cluster at once makes each wait for
    // its peers and takes seconds.
    for (const member of members) await member.stop();
    removeRoot();
    unhook();
  };

  try {
    // A member of a new multi-member cluster is healthy only once a quorum is up, so
    // spawn them all before waiting on any.
    for (const member of members) member.spawn();
    await Promise.all(members.map((m) => m.waitHealthy(startTimeoutMs)));
  } catch (error) {
    await close();
    throw error;
  }

  return {
    members,
    endpoints: members.map((m) => m.clientUrl),
    hosts: members.map((m) => m.clientUrl.replace(/^https?:\/\//, '')),
    tls,
    close,
    async leader(timeoutMs = 10_000): Promise<EtcdMember> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const statuses = await Promise.all(
          members.filter((m) => m.running).map((m) => m.status().then((s) => ({ member: m, ...s }), () => null)),
        );
        for (const s of statuses) {
          if (!s || s.leader === '0') continue;
          const leader = statuses.find((other) => other && other.id === s.leader);
          if (leader) return leader.member;
        }
        await sleep(50);
      }
      throw new EtcdStartError('etcd-no-leader', `no etcd member reported a raft leader within ${timeoutMs} ms`);
    },
  };
}
