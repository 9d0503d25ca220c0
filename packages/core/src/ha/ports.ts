/**
 * What the engine needs from the outside, as narrow interfaces. The engine depends on
 * these, never on the real controller, a concrete DCS adapter or an HTTP client.
 */
import type { PostgresController } from '../postgres/controller.js';

/** The subset of the controller the engine calls. */
export type HaPostgres = Pick<
  PostgresController,
  | 'memberName'
  | 'status'
  | 'dataDirState'
  | 'isRunning'
  | 'observe'
  | 'controlData'
  | 'onPostmasterExit'
  | 'bootstrap'
  | 'postBootstrap'
  | 'clone'
  | 'removeDataDirectory'
  | 'moveDataDirectoryAside'
  | 'start'
  | 'stop'
  | 'promote'
  | 'follow'
  | 'checkpoint'
  | 'setSynchronousStandbyNames'
  | 'checkDivergence'
  | 'rewind'
  | 'crashRecovery'
  | 'syncSlots'
  | 'copyLogicalSlots'
  | 'readTimelineHistory'
  | 'applyParameters'
  | 'restart'
>;

export interface PeerAddress {
  readonly name: string;
  readonly apiUrl: string;
}

/** GET <api_url> (the `/patroni` status); resolves with the parsed JSON body, rejects on any failure. */
export type PeerStatusFetcher = (peer: PeerAddress, signal: AbortSignal) => Promise<unknown>;

/** The body of POST /failsafe (spec/dcs.md §1.7). */
export interface FailsafeBody {
  readonly name: string;
  readonly conn_url: string;
  readonly api_url: string;
  readonly slots?: Readonly<Record<string, number>>;
}

/** POST /failsafe; resolves true only for HTTP 200 with body `Accepted`. */
export type FailsafePoster = (peer: PeerAddress, body: FailsafeBody, signal: AbortSignal) => Promise<boolean>;

/**
 * The Linux watchdog device (spec/ha.md §3.11), optional: without it the engine behaves
 * as with `watchdog.mode: off`. Calls are synchronous and never block (see
 * watchdog/linux-device.ts). `timing` is the ttl/loop_wait in force.
 */
export interface HaWatchdog {
  readonly mode: 'off' | 'automatic' | 'required';
  /** Before promotion and after bootstrap; false when a required watchdog could not be set up. */
  activate(timing: { readonly ttl: number; readonly loopWait: number }): boolean;
  /** After each lock renewal and failsafe-kept cycle. */
  keepalive(timing: { readonly ttl: number; readonly loopWait: number }): void;
  disable(): void;
  isRunning(): boolean;
  /** False when `required` and leading would fail: such a node stays out of the race. */
  isHealthy(timing: { readonly ttl: number; readonly loopWait: number }): boolean;
}
