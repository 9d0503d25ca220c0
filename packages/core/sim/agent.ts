/**
 * The narrow interface between the world and whatever runs the HA logic on a node: the
 * scripted agents in agents/, or the real engine through its adapter.
 *
 * Why so little: killing and pausing are done *to* the agent's process (AgentProcess),
 * not asked of it, so the agent only needs `start`. Everything it touches — clock, DCS,
 * Postgres — is handed over in the context, already bound to that process.
 */
import type { Dcs } from '../src/dcs/dcs.js';
import type { KeyLayout } from '../src/dcs/keys.js';
import type { DcsTiming } from '../src/dcs/timing.js';
import type { Logger } from '../src/logger.js';
import type { PostgresController } from '../src/postgres/controller.js';
import type { Clock, Random } from '../src/time/clock.js';
import type { FailsafeBody } from '../src/ha/ports.js';
import type { Fence } from './fence.js';
import type { PostgresModel } from './postgres-model.js';

export interface NodeAgent {
  /** The agent process started: begin the HA loop (on ctx.clock). */
  start(): void;
  /**
   * A clean shutdown (SIGTERM), if the agent has one. The world uses kill (SIGKILL)
   * for faults; this is for orderly tests.
   */
  shutdown?(): Promise<void>;
  /**
   * The body of `GET /patroni` as this agent would answer it, for peers. Undefined
   * means the agent serves no API (peers see it as unreachable).
   */
  apiStatus?(): unknown;
  /** `POST /failsafe` on this agent: true when it answers `Accepted`. */
  failsafe?(body: FailsafeBody): boolean;
}

/** GET /patroni on a peer through the simulated network; null = unreachable or timed out. */
export type PeerFetch = (peer: string) => Promise<unknown | null>;

/** POST /failsafe to a peer through the simulated network; false = refused, unreachable or timed out. */
export type PeerFailsafe = (peer: string, body: FailsafeBody) => Promise<boolean>;

export interface AgentContext {
  readonly name: string;
  /** The world clock as this process sees it (timers stop while paused). */
  readonly clock: Clock;
  readonly random: Random;
  readonly dcs: Dcs;
  readonly layout: KeyLayout;
  readonly postgres: PostgresController;
  readonly fence: Fence;
  readonly timing: DcsTiming;
  readonly synchronousMode: boolean;
  /** This node is tagged nofailover (it must never promote). */
  readonly nofailover: boolean;
  readonly logger: Logger;
  readonly fetchPeer: PeerFetch;
  readonly postFailsafe: PeerFailsafe;
  /**
   * What this node's REST API would read from Postgres for `GET /patroni`, without
   * going through the agent's clock (the API handler queries Postgres itself).
   */
  readonly pgApiSnapshot: () => ReturnType<PostgresModel['apiSnapshot']>;
  readonly connUrl: (name: string) => string;
  readonly apiUrl: (name: string) => string;
}

export type AgentFactory = (ctx: AgentContext) => NodeAgent;
