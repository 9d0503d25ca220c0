import { createServer } from 'node:net';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../../logger.js';
import { silentLogger } from '../../logger.js';
import type { Clock } from '../../time/clock.js';
import { systemClock } from '../../time/clock.js';
import type { CallbackEvent } from '../callbacks.js';
import type {
  ApplyParametersOptions,
  CloneSource,
  ConfigChangeReport,
  DynamicConfigFiles,
  PostgresController,
  PostgresParameters,
  PostmasterExit,
  PromoteOptions,
  StartOptions,
  StopOptions,
  Unsubscribe,
} from '../controller.js';
import type { ControlData, ControllerStatus, PostgresObservation } from '../observation.js';
import type { PgFailure, PgResult } from '../result.js';
import { fail, ok } from '../result.js';
import type { DivergenceVerdict, RewindOutcome, RewindSource } from '../rewind.js';
import type { CopyLogicalSlotsRequest, SlotPassReport, SlotPassRequest } from '../slots.js';
import { slotNameFromMemberName } from '../slots.js';
import type { CallOptions, DataDirState, ObserveOptions, PgRole, PgState, StopMode } from '../types.js';
import type { FollowOutcome, FollowRequest, StandbyRecovery, UpstreamNode } from '../upstream.js';
import type { Binaries } from './binaries.js';
import { isBinaries, resolveBinaries } from './binaries.js';
import { initializeDataDir } from './bootstrap.js';
import { CallbackRunner } from './callback-runner.js';
import { cloneDataDir } from './clone.js';
import { hasStandbySignal, recoveryParameters, writeAccessFiles, writeConfigFiles, type RecoverySettings } from './config-files.js';
import { sameRecovery, withStandbyRecovery } from './standby-recovery.js';
import { checkClientFiles } from './client-files.js';
import { replicationRole, rewindTarget } from './leader-connection.js';
import { clientSettingsOf } from './client-settings.js';
import { buildConninfo, parseConnUrl, parseHostPort } from './conninfo.js';
import { errorCode, withClient, type LocalConnectionTarget } from './connection.js';
import { controlFileIdentity } from './control-file-identity.js';
import { MonitorConnection } from './monitor-connection.js';
import type { LocalContext } from './context.js';
import { remaining } from './context.js';
import { readControlData } from './controldata.js';
import { runCrashRecovery } from './crash-recovery.js';
import { DataDirInspector } from './data-dir.js';
import { asideName } from './data-dir-aside.js';
import { checkDivergence } from './divergence.js';
import { standbyTimeline } from './divergence-timeline.js';
import { forcedParameters, isForced, toGucString, type ForcedParameterIssue } from './forced-parameters.js';
import { layeredParameters } from './layered-parameters.js';
import { withManagedDefaults } from './managed-defaults.js';
import { runMonitoringQuery } from './monitoring-query.js';
import { ObservationMemo } from './observation-memo.js';
import { slotStateFromObservation } from './slot-pass.js';
import type { LocalPostgresConfig } from './options.js';
import { ParameterValidator, type ParameterRejection } from './parameter-validator.js';
import { reloadAndCompare } from './pending-restart.js';
import { pgpassRoles, writePgpass } from './pgpass.js';
import { findLivePostmaster } from './postmaster-pid.js';
import { PostmasterWatch } from './postmaster-watch.js';
import { childrenOf, readProc } from './proc.js';
import { unreapedMessage, untilPidFileOwnerReaped } from './unreaped-postmaster.js';
import { checkRewindSource, runPgRewind } from './pg-rewind.js';
import type { RunAs } from './run-as.js';
import { lastLine, runProgram } from './run-program.js';
import { SlotSync } from './slot-sync.js';
import { spawnPostmaster } from './spawn-postmaster.js';
import { splitCommand } from './tool-options.js';
import { readTimelineHistoryFile } from './timeline-history.js';
import type { HistoryLine } from '../../dcs/cluster.js';
import { readFile } from 'node:fs/promises';

/** How long a refused IDENTIFY_SYSTEM is not asked again (each try logs a refusal in Postgres' log). */
const IDENTIFY_RETRY_MS = 30_000;

export interface LocalControllerOptions {
  readonly config: LocalPostgresConfig;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Dynamic `postgresql.parameters` known at construction (from /config). */
  readonly dynamicParameters?: PostgresParameters;
  /** Dynamic pg_hba, pg_ident and recovery_conf known at construction (from /config). */
  readonly dynamicFiles?: DynamicConfigFiles;
  /** Where the postmaster's stdout/stderr go; default `<data_dir>.log` beside the data dir. */
  readonly postmasterLog?: string;
  /**
   * How often an adopted postmaster (one this agent did not start) is looked for in /proc
   * when no event said it may be gone; default 1 s.
   */
  readonly adoptedPostmasterBackstopMs?: number;
}

/** Settings that locate or address this Postgres: a reload cannot change them under it. */
const FIXED_CONFIG_KEYS = ['scope', 'name', 'data_dir', 'config_dir', 'bin_dir', 'bin_name', 'listen', 'pgpass', 'run_as'] as const;

const NO_DYNAMIC_FILES: DynamicConfigFiles = { pgHba: null, pgIdent: null, recoveryConf: null };

const SIGNAL_OF: Record<StopMode, NodeJS.Signals> = { smart: 'SIGTERM', fast: 'SIGINT', immediate: 'SIGQUIT' };

/**
 * How often /proc is read for a postmaster we adopted when no event said it may be gone
 * (postmaster-watch.ts): its exit wakes the loop within this even then.
 */
const ADOPTED_POSTMASTER_BACKSTOP_MS = 1000;

/** Patroni 4's role word for callback arguments (spec README: write 4.x, `primary` not `master`). */
function patroniRole(role: PgRole): string {
  return role === 'primary' || role === 'promoted' ? 'primary' : role;
}

/**
 * The real Postgres controller: drives the PostgreSQL programs of one data directory.
 * See docs/postgres-controller.md for what it guarantees.
 */
export class LocalPostgresController implements PostgresController {
  readonly memberName: string;
  private config: LocalPostgresConfig;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly runAs: RunAs | null;
  private readonly dataDir: string;
  private readonly configDir: string;
  private readonly pgpassPath: string;
  private readonly logFile: string;
  private readonly callbacks: CallbackRunner;
  private readonly exitListeners = new Set<(e: PostmasterExit) => void>();
  private dynamicParameters: PostgresParameters;
  /** /config's pg_hba, pg_ident and recovery_conf: used where patroni.yml leaves them unset. */
  private dynamicFiles: DynamicConfigFiles;
  /**
   * The session the per-cycle queries share (monitor-connection.ts). Postgres closing it
   * unasked is a hint the postmaster died: its backends exit as soon as it does.
   */
  private readonly monitor = new MonitorConnection(undefined, () => this.watch?.hint());
  private readonly adoptedBackstopMs: number;
  /** The last monitoring answer, for the rest of the cycle (observation-memo.ts). */
  private readonly observations = new ObservationMemo();
  /**
   * The system identifier with the files it was read from: it cannot change while the
   * data directory and its pg_control are the same files, so pg_controldata (a child
   * process) runs once per data directory instead of once per HA cycle.
   */
  private sysidCache: { readonly key: string; readonly sysid: string } | null = null;
  private bins: Binaries | null = null;
  private validator: ParameterValidator | null = null;
  private state: PgState = 'stopped';
  private role: PgRole = 'uninitialized';
  private watch: PostmasterWatch | null = null;
  private expectedExitPid: number | null = null;
  private pendingRestartReason: Record<string, { old_value: string; new_value: string }> = {};
  private lastRecovery: RecoverySettings | null = null;
  /** Set for the first start after a custom bootstrap method (spec §3.6); see writeConfigFiles. */
  private customBootstrap: { keepExisting: boolean; recoveryConf: Readonly<Record<string, string>> | null } | null = null;
  /** A custom bootstrap ran: postBootstrap drops its recovery settings again. */
  private customBootstrapped = false;

  constructor(options: LocalControllerOptions) {
    this.config = options.config;
    this.memberName = options.config.name;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.runAs = options.config.run_as ?? null;
    this.dataDir = options.config.data_dir;
    this.configDir = options.config.config_dir ?? options.config.data_dir;
    this.pgpassPath = options.config.pgpass ?? join(dirname(this.dataDir), `.pgpass_${slotNameFromMemberName(this.memberName)}`);
    this.logFile = options.postmasterLog ?? `${this.dataDir}.log`;
    this.adoptedBackstopMs = options.adoptedPostmasterBackstopMs ?? ADOPTED_POSTMASTER_BACKSTOP_MS;
    this.dynamicParameters = options.dynamicParameters ?? {};
    this.dynamicFiles = options.dynamicFiles ?? NO_DYNAMIC_FILES;
    this.callbacks = new CallbackRunner(options.config.callbacks ?? {}, options.config.scope, this.runAs, this.logger);
  }

  // --- shared pieces ------------------------------------------------------------------

  private get ctx(): LocalContext {
    return {
      config: this.config,
      clock: this.clock,
      logger: this.logger,
      runAs: this.runAs,
      dataDir: this.dataDir,
      configDir: this.configDir,
      pgpassPath: this.pgpassPath,
      local: this.localTarget(),
      binaries: () => this.binaries(),
      commandLineParameters: async () => (await this.effectiveParameters()).commandLine,
    };
  }

  private async binaries(): Promise<Binaries | PgFailure> {
    if (this.bins) return this.bins;
    const r = await resolveBinaries(this.config.bin_dir, this.dataDir);
    if (isBinaries(r)) this.bins = r;
    return r;
  }

  private listenEndpoint(): { hosts: string[]; port: number } {
    return parseHostPort(this.config.listen);
  }

  private socketDir(): string {
    const dirs = String(this.config.parameters?.['unix_socket_directories'] ?? '/var/run/postgresql');
    return dirs.split(',')[0]?.trim() || '/var/run/postgresql';
  }

  /**
   * The superuser over the Unix socket. Its libpq settings go along as Patroni's
   * local_connect_kwargs does; over a socket libpq (and pg-tls.ts) ignore TLS and GSS.
   */
  private localTarget(): LocalConnectionTarget {
    const su = this.config.authentication.superuser;
    return {
      host: this.socketDir(),
      port: this.listenEndpoint().port,
      user: su.username,
      ...(su.password !== undefined ? { password: su.password } : {}),
      settings: clientSettingsOf(su),
      settingsKey: 'postgresql.authentication.superuser',
    };
  }

  private defaultTimeoutMs(): number {
    return (this.config.pg_ctl_timeout ?? 60) * 1000;
  }

  private async writePgpassFile(): Promise<void> {
    await writePgpass(this.pgpassPath, pgpassRoles(this.config.authentication), this.runAs);
  }

  /**
   * Patroni's precedence (its effective configuration): patroni.yml's pg_hba, pg_ident and
   * recovery_conf win where set, /config's are used otherwise. An empty list writes
   * nothing, as in Patroni: the file keeps what it has.
   */
  private effectiveFiles(): { pgHba: readonly string[] | null; pgIdent: readonly string[] | null; recoveryConf: Record<string, string> } {
    const list = (local: readonly string[] | undefined, dynamic: readonly string[] | null): readonly string[] | null => {
      const lines = local ?? dynamic;
      return lines && lines.length > 0 ? lines : null;
    };
    const dynamicRecovery = Object.fromEntries(Object.entries(this.dynamicFiles.recoveryConf ?? {}).map(([k, v]) => [k, toGucString(v)]));
    return {
      pgHba: list(this.config.pg_hba, this.dynamicFiles.pgHba),
      pgIdent: list(this.config.pg_ident, this.dynamicFiles.pgIdent),
      recoveryConf: this.config.recovery_conf ?? dynamicRecovery,
    };
  }

  /**
   * recovery_conf minus what the controller owns (conninfo, slot), recovery targets, and
   * the pre-12 names no PG 12+ setting has (Patroni: standby_mode becomes the signal
   * file, trigger_file is renamed), so that a recovery_conf written for an older Postgres
   * cannot make postgresql.conf unreadable.
   */
  private recoveryConfSettings(standby: StandbyRecovery | null = this.lastStandby): Pick<RecoverySettings, 'restore_command' | 'extra'> {
    const {
      primary_conninfo: _c,
      primary_slot_name: _s,
      standby_mode: _m,
      pause_at_recovery_target: _p,
      trigger_file: trigger,
      restore_command,
      ...rest
    } = this.effectiveFiles().recoveryConf;
    const extra = Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith('recovery_target')));
    if (trigger !== undefined && !('promote_trigger_file' in extra)) extra['promote_trigger_file'] = trigger;
    return withStandbyRecovery({ restore_command: restore_command ?? null, extra }, standby);
  }

  /** The standby_cluster settings of the last follow/start, kept so a reload keeps them. */
  private lastStandby: StandbyRecovery | null = null;

  private recoveryFor(upstream: UpstreamNode | null | undefined, slotName?: string | null): RecoverySettings {
    const endpoint = upstream?.connUrl ? parseConnUrl(upstream.connUrl) : null;
    const useSlots = this.config.use_slots ?? true;
    this.lastStandby = upstream?.standby ?? null;
    // A standby leader uses the remote's slot named in standby_cluster, or none (Patroni's RemoteMember).
    if (upstream?.standby?.remote && slotName === undefined) slotName = upstream.standby.primarySlotName;
    return {
      primary_conninfo: endpoint
        ? buildConninfo({
            user: this.config.authentication.replication.username,
            passfile: this.pgpassPath,
            host: endpoint.host,
            port: endpoint.port,
            sslmode: 'prefer',
            gssencmode: 'prefer',
            channel_binding: 'prefer',
            // The replication user's settings replace the defaults above, as Patroni's
            // primary_conninfo_params. sslpassword included: the WAL receiver has no other
            // way to get it, and postgresql.conf is 0600 (primary_conninfo is superuser-only).
            ...clientSettingsOf(this.config.authentication.replication),
            application_name: this.memberName,
          })
        : null,
      primary_slot_name: endpoint && useSlots ? (slotName === undefined ? slotNameFromMemberName(this.memberName) : slotName) : null,
      ...this.recoveryConfSettings(this.lastStandby),
    };
  }

  /**
   * Forced parameters for the command line and the rest for the file. Invalid values are
   * warned about and left out (Postgres then uses its default), as Patroni does.
   */
  private async effectiveParameters(): Promise<{ commandLine: Record<string, string>; file: Record<string, string>; rejected: string[] }> {
    const stringify = (p: PostgresParameters): Record<string, string> =>
      Object.fromEntries(Object.entries(p).map(([k, v]) => [k, toGucString(v)]));
    const dynamic = stringify(this.dynamicParameters);
    const local = stringify(this.config.parameters ?? {});
    const rejected: string[] = [];
    const issues: ForcedParameterIssue[] = [];
    const forced = forcedParameters(dynamic, this.logger, issues);
    rejected.push(...issues.map((i) => i.name));
    const { hosts, port } = this.listenEndpoint();
    const commandLine: Record<string, string> = { listen_addresses: hosts.join(','), port: String(port), cluster_name: this.config.scope, ...forced };
    // Custom-bootstrap PITR (spec §3.3): no hot standby while the restored cluster recovers,
    // so the bootstrap's start succeeds only once it has promoted.
    const cb = this.customBootstrap;
    if (cb && (cb.keepExisting || recoveryTargetAction(cb.recoveryConf) === 'promote')) commandLine['hot_standby'] = 'off';
    const file: Record<string, string> = {};
    for (const [k, v] of Object.entries(layeredParameters(dynamic, local))) if (!isForced(k)) file[k] = v;
    Object.assign(file, withManagedDefaults(file));
    // A replica holding logical slots needs feedback, whatever the configuration says (slot-sync.ts).
    if (this.slotSync.hotStandbyFeedback) file['hot_standby_feedback'] = 'on';
    for (const r of await this.validate(file)) {
      this.logger.warn(`postgresql.parameters.${r.name}: ${r.reason}; using the server default`);
      delete file[r.name];
      rejected.push(r.name);
    }
    return { commandLine, file, rejected };
  }

  private async validate(params: Record<string, string>): Promise<ParameterRejection[]> {
    const bins = await this.binaries();
    if (!isBinaries(bins)) return [];
    this.validator ??= new ParameterValidator(bins, this.runAs, this.runAs?.home ?? '/');
    return this.validator.validate(params);
  }

  /**
   * Strict validation for `--validate-config`: invalid values are errors here, whereas
   * at runtime they are warnings and replaced by defaults.
   */
  async validateParameters(parameters: PostgresParameters): Promise<ParameterRejection[]> {
    const params = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, toGucString(v)]));
    const forcedIssues: { name: string; value: string; reason: string }[] = [];
    forcedParameters(params, silentLogger, forcedIssues);
    const rest = Object.fromEntries(Object.entries(params).filter(([k]) => !isForced(k)));
    return [...forcedIssues, ...(await this.validate(rest))];
  }

  private async writeFiles(recovery: RecoverySettings | null): Promise<Record<string, string>> {
    const eff = await this.effectiveParameters();
    const files = this.effectiveFiles();
    await this.writePgpassFile();
    if (recovery?.primary_conninfo) {
      // The WAL receiver reads these as the Postgres user; say which key is wrong before it fails to connect.
      const files = await checkClientFiles(replicationRole(this.ctx), this.runAs);
      if (!files.ok) this.logger.error(files.message);
    }
    await writeConfigFiles({
      dataDir: this.dataDir,
      configDir: this.configDir,
      parameters: eff.file,
      recovery,
      ...(files.pgHba ? { pgHba: files.pgHba } : {}),
      ...(files.pgIdent ? { pgIdent: files.pgIdent } : {}),
      ...(this.config.custom_conf ? { customConf: this.config.custom_conf } : {}),
      ...(this.customBootstrap ? { customBootstrap: this.customBootstrap } : {}),
      runAs: this.runAs,
    });
    this.lastRecovery = recovery;
    return eff.commandLine;
  }

  private adopt(pid: number, startedAtMs: number, childExit?: (fn: () => void) => void): void {
    const current = this.watch;
    if (current && !current.exited && current.pid === pid && Math.abs(current.startedAtMs - startedAtMs) <= 50) {
      // Already watched (isRunning got there first): keep that watch, which a caller may be
      // waiting on, and only add the exit event.
      childExit?.(() => current.hint());
      return;
    }
    this.watch?.stop();
    // Our own child's exit is reported at once (SIGCHLD, below), and its PID cannot be
    // reused before we reap it: no timer then. An adopted postmaster (the agent restarted)
    // has no such event; Postgres closing our session and its pid file going away stand in
    // for it, with a slow backstop for a death neither shows (our session was closed).
    const watch = new PostmasterWatch(pid, startedAtMs, this.clock, () => this.handleExit(pid), {
      backstopMs: childExit ? null : this.adoptedBackstopMs,
      pidFile: join(this.dataDir, 'postmaster.pid'),
    });
    this.watch = watch;
    childExit?.(() => watch.hint());
  }

  private handleExit(pid: number): void {
    this.observations.changed();
    this.monitor.drop();
    const expected = this.expectedExitPid === pid;
    if (!expected) {
      this.state = 'crashed';
      this.logger.warn(`postmaster ${pid} exited unexpectedly`);
    }
    for (const l of this.exitListeners) {
      try {
        l({ pid, expected });
      } catch {
        /* a listener must not break the controller */
      }
    }
  }

  private async portInUse(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const srv = createServer();
      srv.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE'));
      srv.listen(port, host, () => srv.close(() => resolve(false)));
    });
  }

  private async busyPort(): Promise<PgFailure | null> {
    const { hosts, port } = this.listenEndpoint();
    for (const host of hosts.filter((h) => h !== '*')) {
      if (await this.portInUse(host, port)) return fail('port-in-use', `cannot start: port ${port} on ${host} is already in use`);
    }
    return null;
  }

  private async logTail(): Promise<string> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    const lines = text.trim().split('\n');
    return lines.find((l) => /FATAL|PANIC/.test(l)) ?? lines[lines.length - 1] ?? '';
  }

  // --- state ----------------------------------------------------------------------------

  status(): ControllerStatus {
    return {
      state: this.state,
      role: this.role,
      postmasterPid: this.watch && !this.watch.exited ? this.watch.pid : null,
      pendingRestart: Object.keys(this.pendingRestartReason).length > 0,
      pendingRestartReason: { ...this.pendingRestartReason },
    };
  }

  async dataDirState(opts: CallOptions = {}): Promise<DataDirState> {
    this.dataDirInspector ??= new DataDirInspector(this.dataDir, this.runAs);
    return this.dataDirInspector.inspect(() => this.readSystemIdentifier(opts));
  }

  /** What the data directory held when last looked at (data-dir.ts). */
  private dataDirInspector: DataDirInspector | null = null;

  private async readSystemIdentifier(opts: CallOptions): Promise<string | null> {
    const key = await controlFileIdentity(this.dataDir);
    if (key !== null && this.sysidCache?.key === key) return this.sysidCache.sysid;
    const cd = await this.controlData(opts);
    if (!cd.ok || !cd.value.sysid) return null;
    if (key !== null) this.sysidCache = { key, sysid: cd.value.sysid };
    return cd.value.sysid;
  }

  /** Drops what was learnt about the data directory (it is being created, replaced or rewound). */
  private forgetDataDir(): void {
    this.sysidCache = null;
    this.dataDirInspector?.forget();
  }

  async isRunning(): Promise<boolean> {
    if (this.watch && !this.watch.exited) {
      await this.watch.check();
      if (!this.watch.exited) return true;
    }
    const live = await findLivePostmaster(this.dataDir);
    if (!live) return false;
    // While we looked, start() may have adopted this very postmaster (with its exit
    // event): replacing that watch would make start() read "exited" and fail a start
    // that worked.
    if (this.watch && !this.watch.exited && this.watch.pid === live.pid) return true;
    this.adopt(live.pid, live.startedAtMs);
    if (this.state === 'stopped' || this.state === 'crashed') this.state = 'running';
    if (this.role === 'uninitialized') this.role = (await hasStandbySignal(this.dataDir)) ? 'replica' : 'primary';
    return true;
  }

  async observe(opts: ObserveOptions = {}): Promise<PgResult<PostgresObservation>> {
    const recalled = this.observations.recall(opts.observedSince, this.status());
    if (recalled) return ok(recalled);
    const token = this.observations.begin();
    try {
      const obs = await this.monitor.run(
        this.localTarget(),
        { connectTimeoutMs: Math.min(3000, opts.timeoutMs ?? 3000), deadlineMs: Math.min(5000, opts.timeoutMs ?? 5000) },
        (c) => runMonitoringQuery(c, this.clock.now()),
      );
      if (this.role === 'replica' || this.role === 'primary' || this.role === 'promoted' || this.role === 'uninitialized') {
        if (!obs.inRecovery) this.role = 'primary';
        else if (this.role !== 'promoted') this.role = 'replica';
      }
      const observation = await this.withReplicaTimeline(obs, Math.min(1000, opts.timeoutMs ?? 1000));
      this.observations.remember(observation, this.status(), token);
      return ok(observation);
    } catch (e) {
      if (errorCode(e) === '57P03') this.state = 'starting';
      return fail('query-failed', `monitoring query failed: ${(e as Error).message}`, e);
    }
  }

  /** The highest timeline this postmaster's WAL receiver reported (a replica's timeline only grows while it runs). */
  private receivedTimeline: { pid: number; timeline: number } | null = null;
  /** IDENTIFY_SYSTEM's answer for this postmaster at this replay position (it changes only as replay moves). */
  private identifiedTimeline: { pid: number; replayLsn: number | null; timeline: number | null; at: number } | null = null;

  /**
   * A replica whose WAL receiver is down (its upstream just stopped) reports no received
   * timeline, and the last restartpoint's timeline can be older than what it replayed:
   * after crossing to timeline 2 it would show 1 until the next restartpoint. Peers judge
   * the leader race by this timeline, so an old one must never be reported: remember what
   * the receiver said for this postmaster and never report less; when it never said,
   * ask the standby itself (IDENTIFY_SYSTEM answers with the replay timeline), as Patroni does.
   */
  private async withReplicaTimeline(obs: PostgresObservation, timeoutMs: number): Promise<PostgresObservation> {
    const pid = this.status().postmasterPid;
    if (!obs.inRecovery || pid === null) return obs;
    const received = obs.walReceiver?.receivedTimeline ?? 0;
    const known = this.receivedTimeline?.pid === pid ? this.receivedTimeline.timeline : 0;
    let best = Math.max(received, known);
    if (best > known) this.receivedTimeline = { pid, timeline: best };
    if (best === 0) best = (await this.identifiedReplayTimeline(pid, obs.replayLsn, timeoutMs)) ?? 0;
    return best > obs.timeline ? { ...obs, timeline: best } : obs;
  }

  private async identifiedReplayTimeline(pid: number, replayLsn: number | null, timeoutMs: number): Promise<number | null> {
    const cached = this.identifiedTimeline;
    if (cached && cached.pid === pid) {
      if (cached.timeline !== null && cached.replayLsn === replayLsn) return cached.timeline;
      // Refused (no replication entry for local connections in pg_hba): ask again only now and then.
      if (cached.timeline === null && this.clock.now() - cached.at < IDENTIFY_RETRY_MS) return null;
    }
    const timeline = await standbyTimeline(this.ctx, timeoutMs);
    this.identifiedTimeline = { pid, replayLsn, timeline, at: this.clock.now() };
    return timeline;
  }

  /**
   * `pg_wal/<timeline>.history` as /history lines (the HA engine's TimelineHistorySource):
   * after a promotion the new primary publishes where each timeline forked.
   */
  async readTimelineHistory(timeline: number, _opts: CallOptions = {}): Promise<PgResult<readonly HistoryLine[]>> {
    return readTimelineHistoryFile(this.dataDir, timeline);
  }

  async controlData(opts: CallOptions = {}): Promise<PgResult<ControlData>> {
    const bins = await this.binaries();
    if (!isBinaries(bins)) return bins;
    return readControlData(bins, this.dataDir, this.runAs, opts.timeoutMs ?? 10_000);
  }

  onPostmasterExit(listener: (exit: PostmasterExit) => void): Unsubscribe {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  onCallback(listener: (event: CallbackEvent) => void): Unsubscribe {
    return this.callbacks.onCallback(listener);
  }

  // --- creating a data directory ------------------------------------------------------------

  async bootstrap(opts: CallOptions = {}): Promise<PgResult> {
    this.observations.changed();
    const timeoutMs = opts.timeoutMs ?? 300_000;
    const deadline = this.clock.now() + timeoutMs;
    const dd = await this.dataDirState();
    if (dd.kind !== 'empty') return fail('data-dir-unusable', `cannot bootstrap: ${dd.kind === 'valid' ? `${this.dataDir} already holds a cluster` : dd.reason}`);
    const bins = await this.binaries();
    if (!isBinaries(bins)) return bins;
    const busy = await this.busyPort();
    if (busy) return busy;
    this.state = this.config.bootstrap?.method && this.config.bootstrap.method !== 'initdb' ? 'running custom bootstrap script' : 'initializing new cluster';
    this.forgetDataDir();
    const init = await initializeDataDir(this.ctx, timeoutMs, opts.signal);
    if (!init.ok) {
      this.state = this.state === 'initializing new cluster' ? 'initdb failed' : 'custom bootstrap failed';
      return init;
    }
    this.role = 'primary';
    const method = this.config.bootstrap?.method ?? 'initdb';
    const custom = method === 'initdb' ? undefined : this.config.bootstrap?.methods?.[method];
    if (custom) {
      this.customBootstrap = { keepExisting: custom.keep_existing_recovery_conf ?? false, recoveryConf: custom.recovery_conf ?? null };
      this.customBootstrapped = true;
    }
    try {
      // No callbacks during bootstrap (spec §3.8).
      return await this.start({ role: 'primary', blockCallbacks: true, timeoutMs: remaining(this.clock, deadline), ...(opts.signal ? { signal: opts.signal } : {}) });
    } finally {
      this.customBootstrap = null;
    }
  }

  async postBootstrap(opts: CallOptions = {}): Promise<PgResult> {
    this.observations.changed();
    const a = this.config.authentication;
    const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
    const quoteLit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
    try {
      await withClient(this.localTarget(), { statementTimeoutMs: 0 }, async (c) => {
        // Keep role passwords out of the server log.
        await c.query("SET log_statement TO 'none'; SET log_min_duration_statement TO -1; SET synchronous_commit TO 'local'");
        const ensure = async (user: string, password: string | undefined, attrs: string): Promise<void> => {
          const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
          const verb = exists.rowCount ? 'ALTER' : 'CREATE';
          const pw = password !== undefined ? ` PASSWORD ${quoteLit(password)}` : '';
          await c.query(`${verb} ROLE ${quoteIdent(user)} WITH ${attrs}${pw}`);
        };
        await ensure(a.superuser.username, a.superuser.password, 'SUPERUSER LOGIN');
        if (a.replication.username !== a.superuser.username) await ensure(a.replication.username, a.replication.password, 'LOGIN REPLICATION');
        if (a.rewind && a.rewind.username !== a.superuser.username) {
          await ensure(a.rewind.username, a.rewind.password, 'LOGIN');
          const u = quoteIdent(a.rewind.username);
          for (const f of ['pg_catalog.pg_ls_dir(text, boolean, boolean)', 'pg_catalog.pg_stat_file(text, boolean)', 'pg_catalog.pg_read_binary_file(text)', 'pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)']) {
            await c.query(`GRANT EXECUTE ON function ${f} TO ${u}`);
          }
        }
      });
    } catch (e) {
      return fail('query-failed', `post_bootstrap: creating roles failed: ${(e as Error).message}`, e);
    }
    const script = this.config.bootstrap?.post_bootstrap;
    if (script) {
      const { port } = this.listenEndpoint();
      const conn = `postgres://${encodeURIComponent(a.superuser.username)}@${encodeURIComponent(this.socketDir())}:${port}/postgres`;
      const argv = [...splitCommand(script), conn];
      const r = await runProgram(argv[0]!, argv.slice(1), {
        runAs: this.runAs,
        timeoutMs: opts.timeoutMs ?? 300_000,
        env: { PGPASSFILE: this.pgpassPath, PGOPTIONS: '-c synchronous_commit=local -c statement_timeout=0' },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      if (r.code !== 0) return fail('command-failed', `post_bootstrap script failed: ${lastLine(r)}`);
    }
    if (this.customBootstrapped && (await this.isRunning())) {
      // As Patroni: the custom method's recovery settings leave postgresql.conf once it is done.
      this.customBootstrapped = false;
      await this.writeFiles(null);
      signalQuietly(this.watch!.pid, 'SIGHUP');
    }
    return ok();
  }

  async clone(source: CloneSource, opts: CallOptions = {}): Promise<PgResult<{ readonly method: string }>> {
    this.observations.changed();
    if (await this.isRunning()) return fail('wrong-role', `cannot clone into ${this.dataDir}: Postgres is running`);
    const dd = await this.dataDirState();
    if (dd.kind === 'not-accessible') return fail('data-dir-unusable', dd.reason);
    this.state = 'creating replica';
    await this.writePgpassFile();
    this.forgetDataDir();
    const r = await cloneDataDir(this.ctx, source.upstream, opts.timeoutMs ?? 3_600_000, opts.signal);
    this.state = 'stopped';
    if (r.ok) this.role = 'replica';
    return r;
  }

  async removeDataDirectory(): Promise<PgResult> {
    this.observations.changed();
    if (await this.isRunning()) return fail('wrong-role', `refusing to remove ${this.dataDir}: Postgres is running`);
    this.forgetDataDir();
    await rm(this.dataDir, { recursive: true, force: true });
    this.role = 'uninitialized';
    return ok();
  }

  async moveDataDirectoryAside(): Promise<PgResult<{ readonly movedTo: string | null }>> {
    this.observations.changed();
    if (await this.isRunning()) return fail('wrong-role', `refusing to move ${this.dataDir} aside: Postgres is running`);
    this.forgetDataDir();
    this.role = 'uninitialized';
    const movedTo = asideName(this.dataDir, new Date(this.clock.wallNow()));
    try {
      await rename(this.dataDir, movedTo);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ok({ movedTo: null });
      return fail('data-dir-unusable', `could not rename ${this.dataDir} to ${movedTo}: ${(e as Error).message}`, e);
    }
    return ok({ movedTo });
  }

  // --- process ----------------------------------------------------------------------------

  async start(opts: StartOptions = {}): Promise<PgResult> {
    this.observations.changed();
    const deadline = this.clock.now() + (opts.timeoutMs ?? this.defaultTimeoutMs());
    if (await this.isRunning()) return ok();
    const bins = await this.binaries();
    if (!isBinaries(bins)) return bins;
    const dd = await this.dataDirState();
    if (dd.kind !== 'valid') {
      return fail('data-dir-unusable', `cannot start: ${dd.kind === 'empty' ? `${this.dataDir} is empty` : dd.reason}`);
    }
    const busy = await this.busyPort();
    if (busy) return busy;
    const zombie = await untilPidFileOwnerReaped(this.dataDir, this.clock, deadline);
    if (zombie) {
      return fail('start-failed', unreapedMessage('start', zombie));
    }
    // Never writable by default: without an explicit role the node starts read-only.
    const role = opts.role ?? 'replica';
    const recovery = role === 'primary' ? null : this.recoveryFor(opts.upstream);
    // The role is what we start as, from the first moment (Patroni's start() sets it
    // first): a loop that looked mid-start at a demoted primary would demote it again.
    this.role = role;
    this.state = 'starting';
    this.pendingRestartReason = {};
    if (role !== 'primary') this.upstreamOfLastStart = opts.upstream ?? null;
    const commandLine = await this.writeFiles(recovery);
    let spawned;
    try {
      spawned = await spawnPostmaster({
        postgresPath: bins.path('postgres'),
        dataDir: this.dataDir,
        configFile: join(this.configDir, 'postgresql.conf'),
        commandLine,
        logFile: this.logFile,
        runAs: this.runAs,
      });
    } catch (e) {
      this.state = 'start failed';
      return fail('start-failed', `cannot start postgres: ${(e as Error).message}`, e);
    }
    const info = await readProc(spawned.pid);
    this.expectedExitPid = null;
    this.adopt(spawned.pid, info?.startedAtMs ?? 0, spawned.onExit);
    const watch = this.watch!;
    while (this.clock.now() < deadline) {
      if (watch.exited) {
        this.state = 'start failed';
        return fail('start-failed', `postgres exited while starting: ${await this.logTail()}`);
      }
      try {
        await withClient(this.localTarget(), { connectTimeoutMs: 1000 }, (c) => c.query('SELECT 1'));
        this.state = 'running';
        this.role = role;
        if (!opts.blockCallbacks) this.callbacks.fire('on_start', patroniRole(role));
        return ok();
      } catch {
        await this.clock.sleep(50, opts.signal).catch(() => undefined);
        if (opts.signal?.aborted) break;
      }
    }
    this.state = 'start failed';
    // A cancelled wait (a demotion took over the task) is not a slow start: say which it was.
    if (opts.signal?.aborted) return fail('aborted', `waiting for postgres to accept connections was cancelled (pid ${spawned.pid} left running)`);
    return fail('timeout', `postgres did not accept connections in time (pid ${spawned.pid} left running)`);
  }

  async stop(mode: StopMode, opts: StopOptions = {}): Promise<PgResult> {
    this.observations.changed();
    const deadline = this.clock.now() + (opts.timeoutMs ?? this.defaultTimeoutMs());
    if (!(await this.isRunning())) {
      this.state = 'stopped';
      return ok();
    }
    const watch = this.watch!;
    const pid = watch.pid;
    if ((opts.checkpoint ?? mode !== 'immediate') && this.state === 'running') {
      const r = await this.checkpoint({ timeoutMs: remaining(this.clock, deadline) / 2 });
      if (!r.ok) this.logger.warn(`CHECKPOINT before stop failed: ${r.message}`);
    }
    this.state = 'stopping';
    if (this.config.before_stop) {
      const argv = splitCommand(this.config.before_stop);
      await runProgram(argv[0]!, argv.slice(1), { runAs: this.runAs, timeoutMs: remaining(this.clock, deadline) / 2 });
    }
    // A smart shutdown waits for every session to end, ours included.
    this.monitor.drop();
    this.expectedExitPid = pid;
    try {
      process.kill(pid, SIGNAL_OF[mode]);
    } catch {
      /* already gone */
    }
    while (!watch.exited && this.clock.now() < deadline) {
      await this.clock.sleep(50);
      await watch.check();
    }
    if (!watch.exited) {
      this.logger.warn(`postmaster ${pid} did not stop in time (${mode}); killing its process group`);
      await this.killTree(pid);
      const hardDeadline = this.clock.now() + 5000;
      while (!watch.exited && this.clock.now() < hardDeadline) {
        await this.clock.sleep(50);
        await watch.check();
      }
      if (!watch.exited) {
        this.state = 'stop failed';
        return fail('stop-failed', `postmaster ${pid} survived SIGKILL`);
      }
    }
    opts.onSafepoint?.();
    this.state = 'stopped';
    if (!opts.blockCallbacks) this.callbacks.fire('on_stop', patroniRole(this.role));
    return ok();
  }

  /** SIGKILL the postmaster's group when it leads one (we start it with setsid), else it and its children. */
  /**
   * SIGKILL for a postmaster and all its children. Postgres children call setsid(), so
   * they are not in the postmaster's process group: freeze the postmaster (no new
   * forks), list its children, then kill it and each child with its own group.
   */
  private async killTree(pid: number): Promise<void> {
    signalQuietly(pid, 'SIGSTOP');
    const kids = await childrenOf(pid);
    const info = await readProc(pid);
    signalQuietly(info && info.pgrp === pid ? -pid : pid, 'SIGKILL');
    for (const kid of kids) {
      signalQuietly(-kid, 'SIGKILL');
      signalQuietly(kid, 'SIGKILL');
    }
  }


  async restart(opts: StartOptions = {}): Promise<PgResult> {
    this.observations.changed();
    const deadline = this.clock.now() + (opts.timeoutMs ?? 2 * this.defaultTimeoutMs());
    this.state = 'restarting';
    const role = opts.role ?? (this.role === 'primary' || this.role === 'promoted' ? 'primary' : this.role === 'standby_leader' ? 'standby_leader' : 'replica');
    const stopped = await this.stop('fast', { blockCallbacks: true, timeoutMs: remaining(this.clock, deadline) / 2 });
    if (!stopped.ok) {
      this.state = `restart failed (${this.state})`;
      return stopped;
    }
    const upstream = opts.upstream !== undefined ? opts.upstream : this.lastUpstream();
    const started = await this.start({ ...opts, role, upstream, blockCallbacks: true, timeoutMs: remaining(this.clock, deadline) });
    if (!started.ok) {
      this.state = `restart failed (${this.state})`;
      return started;
    }
    if (!opts.blockCallbacks) this.callbacks.fire('on_restart', patroniRole(this.role));
    return ok();
  }

  private upstreamOfLastStart: UpstreamNode | null = null;

  private lastUpstream(): UpstreamNode | null {
    return this.upstreamOfLastStart;
  }

  async reload(opts: CallOptions = {}): Promise<PgResult> {
    this.observations.changed();
    if (!(await this.isRunning())) return fail('not-running', 'cannot reload: Postgres is not running');
    await this.writeFiles(this.role === 'primary' || this.role === 'promoted' ? null : this.lastRecovery);
    try {
      process.kill(this.watch!.pid, 'SIGHUP');
    } catch (e) {
      return fail('not-running', `cannot reload: ${(e as Error).message}`, e);
    }
    void opts;
    this.callbacks.fire('on_reload', patroniRole(this.role));
    return ok();
  }

  async promote(opts: PromoteOptions = {}): Promise<PgResult> {
    this.observations.changed();
    const deadline = this.clock.now() + (opts.timeoutMs ?? 60_000);
    if (!(await this.isRunning())) return fail('not-running', 'cannot promote: Postgres is not running');
    const obs = await this.observe();
    if (obs.ok && !obs.value.inRecovery) {
      this.role = 'primary';
      return ok();
    }
    if (this.config.pre_promote) {
      const argv = splitCommand(this.config.pre_promote);
      const r = await runProgram(argv[0]!, argv.slice(1), { runAs: this.runAs, timeoutMs: remaining(this.clock, deadline), ...(opts.signal ? { signal: opts.signal } : {}) });
      if (r.code !== 0) return fail('vetoed', `pre_promote script refused the promotion: ${lastLine(r)}`);
    }
    const bins = await this.binaries();
    if (!isBinaries(bins)) return bins;
    const r = await runProgram(bins.path('pg_ctl'), ['promote', '-W', '-D', this.dataDir], { runAs: this.runAs, timeoutMs: remaining(this.clock, deadline) });
    if (r.code !== 0) return fail('command-failed', `pg_ctl promote failed: ${lastLine(r)}`);
    this.role = 'promoted';
    this.callbacks.fire('on_role_change', patroniRole('promoted'));
    const waitUntil = Math.min(deadline, this.clock.now() + (opts.waitMs ?? 10_000));
    while (this.clock.now() < waitUntil) {
      const o = await this.observe();
      if (o.ok && !o.value.inRecovery) {
        this.role = 'primary';
        this.lastRecovery = null;
        // Keep the files in line with the role: a later restart must not bring back standby.signal.
        await this.writeFiles(null);
        this.slotSync.promoted();
        return ok();
      }
      await this.clock.sleep(50, opts.signal).catch(() => undefined);
    }
    return fail('timeout', 'promote signalled, but Postgres is still in recovery');
  }

  async follow(request: FollowRequest, opts: CallOptions = {}): Promise<PgResult<FollowOutcome>> {
    this.observations.changed();
    const role = request.role ?? 'replica';
    const wasRole = this.role;
    const recovery = this.recoveryFor(request.upstream, request.slotName);
    const roleChange = wasRole === 'primary' || wasRole === 'promoted' || wasRole === 'demoted' || (wasRole !== role && wasRole !== 'uninitialized');
    this.upstreamOfLastStart = request.upstream;
    if (!(await this.isRunning())) {
      const r = await this.start({ role, upstream: request.upstream, blockCallbacks: true, ...opts });
      if (!r.ok) return r;
      this.callbacks.fire(roleChange ? 'on_role_change' : 'on_start', patroniRole(role));
      return ok<FollowOutcome>('started');
    }
    if (wasRole === 'primary' || wasRole === 'promoted') {
      if (request.restartIfNeeded === false) return fail('wrong-role', 'a running primary can only follow through a restart');
      const r = await this.restart({ role, upstream: request.upstream, blockCallbacks: true, ...opts });
      if (!r.ok) return r;
      this.callbacks.fire('on_role_change', patroniRole(role));
      return ok<FollowOutcome>('restarted');
    }
    const same =
      this.lastRecovery !== null &&
      sameRecovery(this.lastRecovery, recovery) &&
      (await hasStandbySignal(this.dataDir));
    this.role = role;
    if (same) {
      if (roleChange) this.callbacks.fire('on_role_change', patroniRole(role));
      return ok<FollowOutcome>('unchanged');
    }
    // PG ≥ 13: primary_conninfo and primary_slot_name take effect on reload.
    await this.writeFiles(recovery);
    const bins = await this.binaries();
    if (isBinaries(bins) && bins.majorVersion < 13) {
      const r = await this.restart({ role, upstream: request.upstream, blockCallbacks: true, ...opts });
      if (!r.ok) return r;
      if (roleChange) this.callbacks.fire('on_role_change', patroniRole(role));
      return ok<FollowOutcome>('restarted');
    }
    try {
      process.kill(this.watch!.pid, 'SIGHUP');
    } catch (e) {
      return fail('not-running', `cannot reload: ${(e as Error).message}`, e);
    }
    if (roleChange) this.callbacks.fire('on_role_change', patroniRole(role));
    return ok<FollowOutcome>('reloaded');
  }

  async checkpoint(opts: CallOptions = {}): Promise<PgResult> {
    this.observations.changed();
    try {
      await withClient(this.localTarget(), { statementTimeoutMs: 0, connectTimeoutMs: 3000 }, async (c) => {
        const timer = this.clock.setTimer(opts.timeoutMs ?? 60_000, () => void c.end().catch(() => undefined));
        try {
          await c.query('CHECKPOINT');
        } finally {
          timer.cancel();
        }
      });
      return ok();
    } catch (e) {
      return fail('query-failed', `CHECKPOINT failed: ${(e as Error).message}`, e);
    }
  }

  // --- configuration ----------------------------------------------------------------------

  async applyParameters(parameters: PostgresParameters, opts: ApplyParametersOptions = {}): Promise<PgResult<ConfigChangeReport>> {
    this.observations.changed();
    const before = this.effectiveFiles();
    this.dynamicParameters = parameters;
    if (opts.files) {
      this.noteShadowedFiles(opts.files);
      this.dynamicFiles = opts.files;
    }
    const after = this.effectiveFiles();
    const differs = (a: unknown, b: unknown): boolean => JSON.stringify(a) !== JSON.stringify(b);
    // A list that is gone writes nothing: the file keeps what it has (Patroni).
    const rewritten = [
      ...(after.pgHba && differs(before.pgHba, after.pgHba) ? ['pg_hba.conf'] : []),
      ...(after.pgIdent && differs(before.pgIdent, after.pgIdent) ? ['pg_ident.conf'] : []),
      ...(differs(before.recoveryConf, after.recoveryConf) ? ['recovery_conf'] : []),
    ];
    if (!(await this.isRunning())) {
      // Remembered: the next start writes them.
      const eff = await this.effectiveParameters();
      return ok({ reloaded: [], pendingRestart: {}, rejected: eff.rejected });
    }
    const eff = await this.effectiveParameters();
    const primary = this.role === 'primary' || this.role === 'promoted';
    // A replica's recovery section follows recovery_conf (Patroni's build_recovery_params).
    const recovery = !primary && this.lastRecovery ? { ...this.lastRecovery, ...this.recoveryConfSettings() } : null;
    if (primary || recovery) {
      await this.writeFiles(recovery);
    } else {
      // A replica adopted by this agent and not yet pointed at its upstream: its recovery
      // settings are unknown here, and postgresql.conf without them would stop it
      // streaming. Only pg_hba/pg_ident now; follow() writes the rest with these settings.
      await writeAccessFiles({ configDir: this.configDir, ...(after.pgHba && { pgHba: after.pgHba }), ...(after.pgIdent && { pgIdent: after.pgIdent }), runAs: this.runAs });
    }
    const pid = this.watch!.pid;
    // Compare against everything the file now says, recovery section included; on a primary
    // the recovery settings are not ours to report (their removal is not a pending restart).
    const desired = { ...eff.file, ...eff.commandLine, ...(recovery ? recoveryParameters(recovery) : {}) };
    const ignore = recovery ? [] : Object.keys(recoveryParameters({ primary_conninfo: '', primary_slot_name: '', restore_command: '', extra: {} }));
    // One reload (SIGHUP) takes postgresql.conf, pg_hba.conf and pg_ident.conf in together.
    const diff = await reloadAndCompare(this.localTarget(), desired, this.clock, opts.timeoutMs ?? 5000, ignore, () => {
      try {
        process.kill(pid, 'SIGHUP');
      } catch {
        /* reported by the comparison timing out */
      }
    });
    this.callbacks.fire('on_reload', patroniRole(this.role));
    if (!diff.ok) return diff;
    this.pendingRestartReason = { ...diff.value.pendingRestart };
    return ok({
      reloaded: diff.value.reloaded,
      pendingRestart: diff.value.pendingRestart,
      rejected: eff.rejected,
      // recovery_conf only shapes a replica's recovery section.
      rewritten: rewritten.filter((f) => f !== 'recovery_conf' || recovery !== null),
    });
  }

  /** A /config value that patroni.yml overrides changed: say why it does nothing. */
  private noteShadowedFiles(next: DynamicConfigFiles): void {
    const local: [keyof DynamicConfigFiles, string, unknown][] = [
      ['pgHba', 'pg_hba', this.config.pg_hba],
      ['pgIdent', 'pg_ident', this.config.pg_ident],
      ['recoveryConf', 'recovery_conf', this.config.recovery_conf],
    ];
    for (const [key, name, value] of local) {
      if (value === undefined || next[key] === null) continue;
      if (JSON.stringify(next[key]) === JSON.stringify(this.dynamicFiles[key])) continue;
      this.logger.info(`postgresql.${name} of the dynamic configuration is not used: the local configuration sets postgresql.${name}`);
    }
  }

  /**
   * A reloaded patroni.yml (SIGHUP, POST /reload), as Patroni's reload_config: the new
   * parameters, pg_hba, pg_ident, authentication, callbacks, scripts and timeouts take
   * effect: a running Postgres gets its files rewritten and a reload, and the report
   * says which parameters now wait for a restart. What locates or addresses this
   * Postgres cannot change under it: those keys keep their old values and are returned
   * in `notApplied` (the agent must be restarted for them).
   */
  async reloadConfig(next: LocalPostgresConfig, opts: CallOptions = {}): Promise<PgResult<{ notApplied: string[]; report: ConfigChangeReport | null }>> {
    this.observations.changed();
    const notApplied: string[] = [];
    const merged: Record<string, unknown> = { ...next };
    const old = this.config as unknown as Record<string, unknown>;
    for (const key of FIXED_CONFIG_KEYS) {
      if (JSON.stringify(old[key] ?? null) !== JSON.stringify(merged[key] ?? null)) notApplied.push(key);
      if (old[key] === undefined) delete merged[key];
      else merged[key] = old[key];
    }
    this.config = merged as unknown as LocalPostgresConfig;
    this.callbacks.setCommands(this.config.callbacks ?? {});
    if (!(await this.isRunning())) return ok({ notApplied, report: null });
    const r = await this.applyParameters(this.dynamicParameters, opts);
    if (!r.ok) return r;
    return ok({ notApplied, report: r.value ?? null });
  }

  async setSynchronousStandbyNames(value: string | null, opts: CallOptions = {}): Promise<PgResult> {
    this.observations.changed();
    const next: Record<string, string | number | boolean> = { ...this.dynamicParameters };
    next['synchronous_standby_names'] = value ?? '';
    const r = await this.applyParameters(next, opts);
    return r.ok ? ok() : r;
  }

  // --- rewind ------------------------------------------------------------------------------

  async canRewind(opts: CallOptions = {}): Promise<PgResult> {
    if (!this.config.use_pg_rewind) return fail('not-rewindable', 'postgresql.use_pg_rewind is off');
    const cd = await this.controlData(opts);
    if (!cd.ok) return cd;
    if (!cd.value.walLogHints && !cd.value.dataChecksums) {
      return fail('not-rewindable', `pg_rewind needs wal_log_hints=on or data checksums, and ${this.dataDir} has neither`);
    }
    return ok();
  }

  async checkDivergence(leader: RewindSource, opts: CallOptions = {}): Promise<PgResult<DivergenceVerdict>> {
    return checkDivergence(this.ctx, leader, opts.timeoutMs ?? 30_000, await this.isRunning());
  }

  async crashRecovery(opts: CallOptions = {}): Promise<PgResult> {
    this.observations.changed();
    if (await this.isRunning()) return fail('wrong-role', 'crash recovery needs Postgres stopped');
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs();
    const deadline = this.clock.now() + timeoutMs;
    const zombie = await untilPidFileOwnerReaped(this.dataDir, this.clock, deadline);
    if (zombie) return fail('start-failed', unreapedMessage('crash recovery', zombie));
    return runCrashRecovery(this.ctx, remaining(this.clock, deadline));
  }

  async rewind(leader: RewindSource, opts: CallOptions = {}): Promise<PgResult<RewindOutcome>> {
    this.observations.changed();
    const deadline = this.clock.now() + (opts.timeoutMs ?? 600_000);
    const allowRemoveOnDiverged = this.config.remove_data_directory_on_diverged_timelines ?? false;
    const allowRemoveOnFailure = this.config.remove_data_directory_on_rewind_failure ?? false;
    const can = await this.canRewind();
    if (!can.ok) {
      if (can.code === 'not-rewindable' && allowRemoveOnDiverged) return this.removeForReclone(can.message);
      return can;
    }
    // Check the source before touching anything local.
    const source = await checkRewindSource(this.ctx, leader, remaining(this.clock, deadline));
    if (!source.ok) return source;
    const stopped = await this.stop('fast', { checkpoint: false, blockCallbacks: true, timeoutMs: remaining(this.clock, deadline) });
    if (!stopped.ok) return stopped;
    this.forgetDataDir();
    const r = await runPgRewind(this.ctx, leader, remaining(this.clock, deadline));
    if (r.ok) {
      this.role = 'replica';
      return ok<RewindOutcome>('rewound');
    }
    if (r.code === 'command-failed' && (allowRemoveOnFailure || allowRemoveOnDiverged)) return this.removeForReclone(r.message);
    return r;
  }

  private async removeForReclone(reason: string): Promise<PgResult<RewindOutcome>> {
    this.logger.warn(`removing ${this.dataDir} to re-clone it: ${reason}`);
    const rm = await this.removeDataDirectory();
    if (!rm.ok) return rm;
    return ok<RewindOutcome>('removed-for-reclone');
  }

  // --- slots -------------------------------------------------------------------------------

  async syncSlots(request: SlotPassRequest, opts: ObserveOptions = {}): Promise<PgResult<SlotPassReport>> {
    if (!(await this.isRunning())) return fail('not-running', 'slot pass needs Postgres running');
    const recalled = this.observations.recall(opts.observedSince, this.status());
    const r = await this.slotSync.sync(request, opts.timeoutMs ?? 10_000, recalled ? slotStateFromObservation(recalled) : undefined);
    // Slots made, dropped or moved: the observation no longer shows them as they are.
    if (!r.ok || r.value.created.length || r.value.dropped.length || r.value.advanced.length) this.observations.changed();
    return r;
  }

  async copyLogicalSlots(request: CopyLogicalSlotsRequest, opts: CallOptions = {}): Promise<PgResult<{ readonly copied: readonly string[] }>> {
    this.observations.changed();
    if (!(await this.isRunning())) return fail('not-running', 'copying logical slots needs Postgres running');
    if (this.role !== 'replica') return fail('wrong-role', `logical slots are copied to a replica, not to a ${this.role}`);
    return this.slotSync.copy(request, opts.timeoutMs ?? 120_000);
  }

  private slotSyncInstance: SlotSync | null = null;

  /** Slots: the pass, hot_standby_feedback, copies of logical slots and their readiness (slot-sync.ts). */
  private get slotSync(): SlotSync {
    this.slotSyncInstance ??= new SlotSync({
      logger: this.logger,
      dataDir: this.dataDir,
      runAs: this.runAs,
      localTarget: () => this.localTarget(),
      mainSession: (timeoutMs) => (fn) => this.monitor.run(this.localTarget(), { connectTimeoutMs: Math.min(3000, timeoutMs), deadlineMs: timeoutMs }, fn),
      leaderTarget: (leader) => rewindTarget(this.ctx, leader),
      reapplyParameters: (timeoutMs) => this.applyParameters(this.dynamicParameters, { timeoutMs }),
      restartAround: async (work, timeoutMs) => {
        const deadline = this.clock.now() + timeoutMs;
        const upstream = this.lastUpstream();
        const stopped = await this.stop('fast', { blockCallbacks: true, timeoutMs: remaining(this.clock, deadline) / 2 });
        if (!stopped.ok) return stopped;
        try {
          await work();
        } catch (e) {
          this.logger.error(`Writing logical slot state files failed: ${(e as Error).message}`);
        }
        return this.start({ role: 'replica', upstream, blockCallbacks: true, timeoutMs: remaining(this.clock, deadline) });
      },
    });
    return this.slotSyncInstance;
  }

  async close(): Promise<void> {
    this.monitor.drop();
    this.watch?.stop();
    this.callbacks.close();
  }
}

/** Patroni's reading: `recovery_target_action`, else `promote` only if `pause_at_recovery_target` is false. */
function recoveryTargetAction(conf: Readonly<Record<string, string>> | null): string {
  if (conf?.['recovery_target_action']) return conf['recovery_target_action'];
  return ['off', 'false', 'no', '0'].includes(String(conf?.['pause_at_recovery_target']).toLowerCase()) ? 'promote' : 'pause';
}

function signalQuietly(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // already gone
  }
}
