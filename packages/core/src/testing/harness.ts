/**
 * Shared plumbing for the conformance groups: members on a fresh cluster scope per
 * test, timing helpers, and cleanup that cannot hang when the server is down.
 */
import type { DcsCapabilities } from '../dcs/adapter.js';
import type { Cluster } from '../dcs/cluster.js';
import { Dcs } from '../dcs/dcs.js';
import { KeyLayout } from '../dcs/keys.js';
import type { LockOutcome } from '../dcs/outcomes.js';
import { systemClock } from '../time/clock.js';
import type { ConformanceClient, ConformanceOptions, ConformanceTarget } from './target.js';

export interface KitMember {
  readonly name: string;
  readonly dcs: Dcs;
  readonly client: ConformanceClient;
  readonly layout: KeyLayout;
}

export interface KitSettings {
  readonly ttlSeconds: number;
  readonly retryTimeoutSeconds: number;
  readonly loopWaitSeconds: number;
}

export function kitSettings(capabilities: DcsCapabilities, options: ConformanceOptions): KitSettings {
  return {
    ttlSeconds: options.ttlSeconds ?? Math.max(2, capabilities.minTtlSeconds),
    retryTimeoutSeconds: options.retryTimeoutSeconds ?? 2,
    loopWaitSeconds: 1,
  };
}

let scopeCounter = 0;

/** A scope no other test uses, so tests cannot see each other's keys. */
export function freshScope(label: string): string {
  scopeCounter += 1;
  return `kit-${label}-${process.pid}-${scopeCounter}-${Math.floor(Math.random() * 1e6)}`;
}

export class KitCluster {
  private readonly members: KitMember[] = [];

  constructor(
    private readonly target: ConformanceTarget,
    private readonly settings: KitSettings,
    readonly scope: string,
    readonly namespace = '/service',
  ) {}

  get layout(): KeyLayout {
    return new KeyLayout({ namespace: this.namespace, scope: this.scope, leadingSlash: this.target.leadingSlash });
  }

  async member(name: string): Promise<KitMember> {
    const layout = this.layout;
    const client = await this.target.connect({
      layout,
      name,
      ttlSeconds: this.settings.ttlSeconds,
      loopWaitSeconds: this.settings.loopWaitSeconds,
      retryTimeoutSeconds: this.settings.retryTimeoutSeconds,
      clock: systemClock,
    });
    const dcs = new Dcs({
      adapter: client.adapter,
      timing: { ttl: this.settings.ttlSeconds, loopWait: this.settings.loopWaitSeconds, retryTimeout: this.settings.retryTimeoutSeconds },
    });
    const member = { name, dcs, client, layout };
    this.members.push(member);
    return member;
  }

  /** Closes every member; a close that hangs (server down) is abandoned after 3 s. */
  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => withTimeout(m.dcs.close(), 3000).catch(() => undefined)));
    this.members.length = 0;
  }
}

export async function load(member: KitMember, linearizable = true): Promise<Cluster> {
  const outcome = await member.dcs.loadCluster({ linearizable });
  if (outcome.kind !== 'loaded') throw new Error(`loadCluster failed: ${outcome.cause.message}`);
  return outcome.cluster;
}

export function expectHeld(outcome: LockOutcome): asserts outcome is Extract<LockOutcome, { kind: 'held' }> {
  if (outcome.kind !== 'held') {
    const detail = outcome.kind === 'unavailable' ? outcome.cause.message : outcome.reason;
    throw new Error(`expected the lock to be held, got ${outcome.kind} (${detail})`);
  }
}

export function now(): number {
  return systemClock.now();
}

export function sleep(ms: number): Promise<void> {
  return systemClock.sleep(ms);
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
