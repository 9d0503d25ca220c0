/**
 * The real controller, remembering what the HA loop last learnt through it: the
 * monitoring query's answer and the system identifier. The REST API serves these
 * instead of querying Postgres on every health check.
 */
import { LocalPostgresController, type DataDirState, type PgResult, type PostgresObservation } from '@pgwarden/core';

type CallOptions = NonNullable<Parameters<LocalPostgresController['observe']>[0]>;

export class ObservedController extends LocalPostgresController {
  /** The last monitoring query's answer; null after a failed query. */
  lastObservation: PostgresObservation | null = null;
  systemIdentifier: string | null = null;

  override async observe(opts: CallOptions = {}): Promise<PgResult<PostgresObservation>> {
    const r = await super.observe(opts);
    this.lastObservation = r.ok ? (r.value ?? null) : null;
    return r;
  }

  /**
   * The monitoring query for the REST API's live `/patroni`: the same query, but the
   * answer is not recorded, so health checks keep serving what the loop itself saw.
   */
  observeLive(opts: CallOptions = {}): Promise<PgResult<PostgresObservation>> {
    return super.observe(opts);
  }

  override async dataDirState(opts: CallOptions = {}): Promise<DataDirState> {
    const d = await super.dataDirState(opts);
    if (d.kind === 'valid') this.systemIdentifier = d.sysid;
    return d;
  }

  override async isRunning(): Promise<boolean> {
    const running = await super.isRunning();
    if (!running) this.lastObservation = null;
    return running;
  }
}
