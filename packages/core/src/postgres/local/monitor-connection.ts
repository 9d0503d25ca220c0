import pg from 'pg';
import { clientConfigs, type ConnectOptions, type LocalConnectionTarget } from './connection.js';
import { mayTryNextAttempt } from './pg-tls.js';

/**
 * The one connection the controller keeps to its own Postgres for the queries it runs
 * every HA cycle (the monitoring query, the slot pass), as Patroni keeps one: opening a
 * connection per query costs a backend fork and authentication each time, which under
 * CPU load was a good part of a cycle.
 *
 * Every call has a deadline: when it passes, the connection is destroyed (a stalled
 * server must not hold the loop) and the call fails. Any error drops the connection;
 * the next call connects again. A changed target (new password, port) reconnects.
 * Calls take turns (the loop's and the REST API's may overlap): two callers' statements
 * must never interleave in one session, and pg only queues them with a deprecation
 * warning. Waiting for the turn counts against the caller's deadline.
 */
export class MonitorConnection {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private key = '';
  /** Settles when the call holding the session is done. */
  private turn: Promise<void> = Promise.resolve();
  /** How many connections were opened, for the loop-cost measurement and tests. */
  connectionsOpened = 0;

  constructor(
    private readonly defaults: { readonly statementTimeoutMs: number; readonly applicationName: string } = { statementTimeoutMs: 2000, applicationName: 'pgwarden' },
    /** The server ended the session without being asked (not `drop()`): e.g. its postmaster died. */
    private readonly onServerClosed: () => void = () => undefined,
  ) {}

  get connected(): boolean {
    return this.client !== null;
  }

  async run<T>(target: LocalConnectionTarget, opts: ConnectOptions & { readonly deadlineMs: number }, fn: (client: pg.Client) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the local Postgres within ${opts.deadlineMs} ms`)), opts.deadlineMs);
    });
    const previous = this.turn;
    let release!: () => void;
    this.turn = new Promise<void>((resolve) => (release = resolve));
    try {
      // Out of time before our turn: fail without touching the session the other call uses.
      await Promise.race([previous, expired]);
    } catch (error) {
      clearTimeout(timer);
      void previous.then(release);
      throw error;
    }
    const key = JSON.stringify(target);
    if (key !== this.key) this.drop();
    this.key = key;
    try {
      const client = await Promise.race([this.connect(target, opts), expired]);
      return await Promise.race([fn(client), expired]);
    } catch (error) {
      // Whatever went wrong, the session may be unusable (or stuck): start over next time.
      this.drop();
      throw error;
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  private connect(target: LocalConnectionTarget, opts: ConnectOptions): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    if (this.connecting) return this.connecting;
    // One attempt per libpq sslmode step (pg-tls.ts); over the Unix socket there is one.
    const configs = clientConfigs(target, { connectTimeoutMs: opts.connectTimeoutMs ?? 3000, statementTimeoutMs: this.defaults.statementTimeoutMs, applicationName: this.defaults.applicationName });
    this.connectionsOpened++;
    const open = async (): Promise<pg.Client> => {
      for (let i = 0; ; i++) {
        const client = new pg.Client(configs[i]);
        client.on('error', () => {
          if (this.client === client) this.lost();
          void client.end().catch(() => undefined);
        });
        client.on('end', () => {
          if (this.client === client) this.lost();
        });
        try {
          await client.connect();
          return client;
        } catch (error) {
          void client.end().catch(() => undefined);
          if (i + 1 < configs.length && mayTryNextAttempt(error)) continue;
          throw error;
        }
      }
    };
    const attempt = open().then(
      (client) => {
        if (this.connecting === attempt) {
          this.connecting = null;
          this.client = client;
        } else void client.end().catch(() => undefined); // dropped while connecting
        return client;
      },
      (error: unknown) => {
        if (this.connecting === attempt) this.connecting = null;
        throw error;
      },
    );
    this.connecting = attempt;
    return attempt;
  }

  private lost(): void {
    this.client = null;
    this.onServerClosed();
  }

  /** Closes the connection now (before a stop: a smart shutdown waits for every session). */
  drop(): void {
    const client = this.client;
    this.client = null;
    this.connecting = null;
    if (!client) return;
    // end() waits for the server's goodbye; a stalled server must not keep the socket.
    const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
    void client.end().catch(() => undefined);
    setTimeout(() => stream?.destroy(), 1000).unref();
  }
}
