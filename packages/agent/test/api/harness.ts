/**
 * Starts the real REST API server on a free loopback port with a fixed state, and an
 * `ApiActions` that records what it was asked and answers as each test sets it up.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Cluster, JsonObject, Member, NodeState } from '@pgwarden/core';
import { RestApiServer, type ApiActions, type FailoverKey, type NodeStateSource, type RestApiConfig, type RestartRequest, type ScheduledRestartRequest } from '../../src/api/index.js';
import { threeNodeCluster } from './cluster-fixture.js';

export class RecordingActions implements ApiActions {
  readonly calls: { name: string; args: unknown[] }[] = [];
  /** What `loadCluster` returns; a function can change the answer per call. */
  cluster: Cluster | (() => Cluster) = threeNodeCluster();
  writeConfigResult = true;
  writeFailoverResult = true;
  healthyCandidate = true;
  restartResult: { ok: boolean; message: string } | Error = { ok: true, message: 'restarted successfully' };
  scheduleRestartResult = true;
  deleteRestartResult = true;
  reinitializeResult: string | null = null;
  failsafeResult: string | null = null;

  private record(name: string, ...args: unknown[]): void {
    this.calls.push({ name, args });
  }
  called(name: string): unknown[][] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args);
  }

  async loadCluster(): Promise<Cluster> {
    this.record('loadCluster');
    return typeof this.cluster === 'function' ? this.cluster() : this.cluster;
  }
  async writeConfig(value: string, expectedVersion: string | null): Promise<boolean> {
    this.record('writeConfig', value, expectedVersion);
    return this.writeConfigResult;
  }
  async writeFailover(key: FailoverKey, expectedVersion?: string): Promise<boolean> {
    this.record('writeFailover', key, expectedVersion);
    return this.writeFailoverResult;
  }
  async hasHealthyCandidate(members: readonly Member[]): Promise<boolean> {
    this.record('hasHealthyCandidate', members.map((m) => m.name));
    return this.healthyCandidate;
  }
  wakeup(): void {
    this.record('wakeup');
  }
  async restart(request: RestartRequest): Promise<{ ok: boolean; message: string }> {
    this.record('restart', request);
    if (this.restartResult instanceof Error) throw this.restartResult;
    return this.restartResult;
  }
  async scheduleRestart(request: ScheduledRestartRequest): Promise<boolean> {
    this.record('scheduleRestart', request);
    return this.scheduleRestartResult;
  }
  async deleteScheduledRestart(): Promise<boolean> {
    this.record('deleteScheduledRestart');
    return this.deleteRestartResult;
  }
  async reinitialize(force: boolean): Promise<string | null> {
    this.record('reinitialize', force);
    return this.reinitializeResult;
  }
  reload(): void {
    this.record('reload');
  }
  async updateFailsafe(members: JsonObject): Promise<string | null> {
    this.record('updateFailsafe', members);
    return this.failsafeResult;
  }
}

/** A source whose state the test can swap between requests. */
export class FixedSource implements NodeStateSource {
  constructor(
    public state: NodeState,
    public snapshot: Cluster | null = threeNodeCluster(),
  ) {}
  current(): NodeState {
    return this.state;
  }
  cluster(): Cluster | null {
    return this.snapshot;
  }
  config(): JsonObject | null {
    return this.snapshot?.config?.data ?? null;
  }
}

export interface Api {
  readonly server: RestApiServer;
  readonly url: string;
  readonly source: FixedSource;
  readonly actions: RecordingActions;
}

export async function startApi(state: NodeState, config: Partial<RestApiConfig> = {}, snapshot?: Cluster | null): Promise<Api> {
  const source = new FixedSource(state, snapshot === undefined ? threeNodeCluster() : snapshot);
  const actions = new RecordingActions();
  const server = await RestApiServer.start({
    config: { listen: '127.0.0.1:0', ...config },
    source,
    actions,
    failoverPollIntervalMs: 5,
  });
  return { server, url: server.url, source, actions };
}

/**
 * Sends one request over a raw socket and returns every byte the server wrote before
 * closing: the only way to see that HEAD gets a bare status line and nothing else.
 */
export function rawRequest(url: string, method: string, path: string, tls?: ConnectionOptions): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls
      ? tlsConnect({ host: hostname, port: Number(port), ...tls })
      : netConnect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on(tls ? 'secureConnect' : 'connect', () => socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
