/**
 * A thin, typed layer over the `consul` client: every request carries the deadline of
 * the DCS call it belongs to (as a timeout and as a cancel event), and errors become
 * DcsError. Nothing here retries — core's policy is the only one.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import type { Clock, DcsCallContext } from '@pgwarden/core';
import Consul from 'consul';
import type { ConsulSection } from './config.js';
import { toDcsError } from './errors.js';

export interface KvItem {
  readonly Key: string;
  readonly Value: string | null;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly LockIndex: number;
  readonly Session?: string;
}

/** What a request needs to end on time: the call's signal and deadline. */
export interface RequestBudget {
  readonly signal: AbortSignal;
  readonly deadline: number;
}

class CancelContext extends EventEmitter {
  readonly includeResponse = true;
}

interface ResponseLike {
  readonly headers: Record<string, string | string[] | undefined>;
}

export class ConsulClient {
  readonly endpoint: string;
  private readonly consul: Consul;

  constructor(
    private readonly section: ConsulSection,
    private readonly clock: Clock,
  ) {
    this.endpoint = `${section.scheme}://${section.host}:${section.port}`;
    const agent =
      section.scheme === 'https'
        ? new HttpsAgent({
            keepAlive: true,
            rejectUnauthorized: section.verify,
            ca: section.cacert ? readFileSync(section.cacert) : undefined,
            cert: section.cert ? readFileSync(section.cert) : undefined,
            key: section.key ? readFileSync(section.key) : undefined,
          })
        : undefined;
    const defaults: Record<string, unknown> = {};
    if (section.token) defaults.token = section.token;
    if (section.dc) defaults.dc = section.dc;
    this.consul = new Consul({ host: section.host, port: section.port, secure: section.scheme === 'https', agent, defaults });
  }

  /** Every key under `prefix`; empty when there is none. `index` is X-Consul-Index. */
  async list(
    prefix: string,
    budget: RequestBudget,
    options: { linearizable?: boolean; index?: number; waitSeconds?: number } = {},
  ): Promise<{ items: KvItem[]; index: number }> {
    const consistency = options.linearizable ? { consistent: true } : this.consistency();
    const blocking = options.index !== undefined ? { index: String(options.index), wait: `${options.waitSeconds ?? 30}s` } : {};
    const [res, body] = (await this.run('read', budget, (opts) =>
      this.consul.kv.get({ key: prefix, recurse: true, ...consistency, ...blocking, ...opts } as never),
    )) as [ResponseLike, KvItem[] | KvItem | undefined];
    const items = body === undefined ? [] : Array.isArray(body) ? body : [body];
    return { items, index: Number(res.headers['x-consul-index'] ?? 0) };
  }

  async get(key: string, budget: RequestBudget): Promise<KvItem | null> {
    const [, body] = (await this.run('read', budget, (opts) => this.consul.kv.get({ key, consistent: true, ...opts } as never))) as [
      ResponseLike,
      KvItem | undefined,
    ];
    return body ?? null;
  }

  async put(key: string, value: string, query: { cas?: number; acquire?: string; release?: string }, budget: RequestBudget): Promise<boolean> {
    const [, ok] = (await this.run('write', budget, (opts) => this.consul.kv.set({ key, value, ...query, ...opts } as never))) as [ResponseLike, boolean];
    return ok === true;
  }

  async delete(key: string, query: { cas?: number; recurse?: boolean }, budget: RequestBudget): Promise<boolean> {
    const [, ok] = (await this.run('delete', budget, (opts) => this.consul.kv.del({ key, ...query, ...opts } as never))) as [ResponseLike, boolean];
    return ok === true;
  }

  async createSession(body: { name: string; ttl: string; checks: readonly string[] }, budget: RequestBudget): Promise<string> {
    const [, created] = (await this.run('session create', budget, (opts) =>
      this.consul.session.create({ name: body.name, ttl: body.ttl, checks: [...body.checks], lockdelay: '0.001s', behavior: 'delete', ...opts } as never),
    )) as [ResponseLike, { ID: string }];
    return created.ID;
  }

  /** Throws a 404 error when the session has ended. */
  async renewSession(id: string, budget: RequestBudget): Promise<void> {
    await this.run('session renew', budget, (opts) => this.consul.session.renew({ id, ...opts } as never));
  }

  async destroySession(id: string, budget: RequestBudget): Promise<void> {
    await this.run('session destroy', budget, (opts) => this.consul.session.destroy({ id, ...opts } as never));
  }

  /** The agent's minimum session TTL in seconds (Consul's default is 10). */
  async sessionTtlMinSeconds(budget: RequestBudget): Promise<number> {
    const [, self] = (await this.run('agent self', budget, (opts) => this.consul.agent.self(opts as never))) as [
      ResponseLike,
      { Config?: { SessionTTLMin?: number | null }; DebugConfig?: { SessionTTLMin?: string } },
    ];
    const ns = self.Config?.SessionTTLMin;
    if (typeof ns === 'number' && ns > 0) return ns / 1e9;
    const text = self.DebugConfig?.SessionTTLMin;
    const m = typeof text === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(text) : null;
    return m ? Number(m[1]) : 10;
  }

  /**
   * `body` is Consul's own JSON (Name, ID, Tags, EnableTagOverride, Check…). The
   * client's register() would drop EnableTagOverride, so this goes through its raw PUT.
   */
  async registerService(body: Record<string, unknown>, budget: RequestBudget): Promise<void> {
    const raw = this.consul as unknown as RawPut;
    await this.run('service register', budget, ({ ctx, timeout }) =>
      raw._put({ name: 'agent.service.register', path: '/agent/service/register', type: 'json', body, ctx, timeout, headers: this.tokenHeader() }, emptyResult),
    );
  }

  async deregisterService(id: string, budget: RequestBudget): Promise<void> {
    await this.run('service deregister', budget, (opts) => this.consul.agent.service.deregister({ id, ...opts } as never));
  }

  close(): void {
    (this.consul as unknown as { destroy(): void }).destroy();
  }

  private tokenHeader(): Record<string, string> {
    return this.section.token ? { 'x-consul-token': this.section.token } : {};
  }

  private consistency(): Record<string, boolean> {
    if (this.section.consistency === 'consistent') return { consistent: true };
    if (this.section.consistency === 'stale') return { stale: true };
    return {};
  }

  /**
   * Runs one request with the budget's deadline as its timeout, cancelled with the
   * signal. With `includeResponse` the client answers `[response, body]`, which its
   * type declarations do not model, hence `unknown`.
   */
  private async run(what: string, budget: RequestBudget, request: (opts: { ctx: CancelContext; timeout: number }) => Promise<unknown>): Promise<unknown> {
    const ctx = new CancelContext();
    const cancel = (): void => void ctx.emit('cancel');
    if (budget.signal.aborted) throw toDcsError(new Error('request aborted'), what, this.endpoint);
    budget.signal.addEventListener('abort', cancel, { once: true });
    try {
      return await request({ ctx, timeout: Math.max(1, Math.floor(budget.deadline - this.clock.now())) });
    } catch (error) {
      throw toDcsError(error, what, this.endpoint);
    } finally {
      budget.signal.removeEventListener('abort', cancel);
    }
  }
}

interface RawPut {
  _put(request: Record<string, unknown>, callback: typeof emptyResult): Promise<unknown>;
}

/** papi's response handler for requests whose body is not needed. */
function emptyResult(request: { err?: Error }, next: (stop: boolean, err?: Error, value?: unknown) => void): void {
  next(false, request.err, undefined);
}

export function budgetOf(ctx: DcsCallContext): RequestBudget {
  return { signal: ctx.signal, deadline: ctx.deadline };
}
