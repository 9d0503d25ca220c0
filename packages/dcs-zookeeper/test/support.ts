/** Shared by the tests: a real ZooKeeper from the testkit, adapters on fresh scopes, a raw client. */
import { Dcs, KeyLayout, MemoryLogger, systemClock, type Logger } from '@pgwarden/core';
import type { ZooKeeperServer } from '@pgwarden/testkit';
import { createClient, type Client, type Stat } from 'node-zookeeper-client';
import { ZooKeeperDcs } from '../src/adapter.js';
import type { ZooKeeperSection } from '../src/config.js';

let counter = 0;

export function freshScope(label: string): string {
  counter += 1;
  return `zk-${label}-${process.pid}-${counter}`;
}

export function section(zk: ZooKeeperServer, extra: Partial<ZooKeeperSection> = {}): ZooKeeperSection {
  return {
    hosts: [zk.connectString],
    chroot: null,
    cacert: null,
    cert: null,
    key: null,
    keyPassword: null,
    verify: true,
    acls: null,
    authData: [],
    ...extra,
  };
}

export interface Member {
  readonly adapter: ZooKeeperDcs;
  readonly dcs: Dcs;
  readonly layout: KeyLayout;
  readonly logger: MemoryLogger;
}

export async function member(
  zk: ZooKeeperServer,
  scope: string,
  name: string,
  options: { ttl?: number; retryTimeout?: number; section?: Partial<ZooKeeperSection>; logger?: Logger } = {},
): Promise<Member> {
  const layout = new KeyLayout({ scope });
  const logger = new MemoryLogger();
  const ttl = options.ttl ?? 2;
  const retryTimeout = options.retryTimeout ?? 2;
  const adapter = await ZooKeeperDcs.create({
    section: section(zk, options.section),
    layout,
    name,
    ttlSeconds: ttl,
    loopWaitSeconds: 1,
    retryTimeoutSeconds: retryTimeout,
    clock: systemClock,
    logger: options.logger ?? logger,
  });
  const dcs = new Dcs({ adapter, timing: { ttl, loopWait: 1, retryTimeout }, logger });
  return { adapter, dcs, layout, logger };
}

/** A plain node-zookeeper-client, to look at znodes without the adapter. */
export async function rawClient(zk: ZooKeeperServer, auth?: { scheme: string; credential: string }): Promise<RawZk> {
  const client = createClient(zk.connectString, { sessionTimeout: 5000, spinDelay: 200, retries: 0 });
  if (auth) client.addAuthInfo(auth.scheme, Buffer.from(auth.credential));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('raw client could not connect')), 5000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  return new RawZk(client);
}

export class RawZk {
  constructor(readonly client: Client) {}

  get(path: string): Promise<{ value: Buffer; stat: Stat } | null> {
    return this.bounded(`get ${path}`, (resolve, reject) => {
      this.client.getData(path, (error, data, stat) => {
        if (error && 'getCode' in error && error.getCode() === -101) resolve(null);
        else if (error) reject(error);
        else resolve({ value: data ?? Buffer.alloc(0), stat });
      });
    });
  }

  async text(path: string): Promise<string | null> {
    const node = await this.get(path);
    return node ? node.value.toString('utf8') : null;
  }

  /** Creates (with parents) or overwrites a persistent znode. */
  put(path: string, value: string): Promise<void> {
    return this.bounded(`put ${path}`, (resolve, reject) => {
      this.client.mkdirp(path, (error) => {
        if (error) return reject(error);
        this.client.setData(path, Buffer.from(value), -1, (e) => (e ? reject(e) : resolve()));
      });
    });
  }

  createEphemeral(path: string, value: string): Promise<void> {
    return this.bounded(`create ${path}`, (resolve, reject) => {
      this.client.create(path, Buffer.from(value), 1 /* EPHEMERAL */, (error) => (error ? reject(error) : resolve()));
    });
  }

  /**
   * This plain client waits forever for a server that accepted the TCP connection but
   * never answers (e.g. one restarting): a test must fail, not hang.
   */
  private bounded<T>(what: string, run: (resolve: (value: T) => void, reject: (error: unknown) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw ZooKeeper client: no answer to ${what} within 5 s`)), 5000);
      run(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  sessionId(): string {
    return this.client.getSessionId().readBigInt64BE(0).toString();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.client.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.close();
    });
  }
}

export function ownerOf(stat: Stat): string {
  return stat.ephemeralOwner.readBigInt64BE(0).toString();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
