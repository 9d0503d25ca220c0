/**
 * `pgwarden patroni.yml`: wires the parts into a running agent — config, DCS, the
 * Postgres controller, the HA loop and the REST API — and handles signals (SIGTERM and
 * SIGINT: Patroni's shutdown; SIGHUP: reload). Resolves with the exit code.
 */
import { timingFloorOf } from '../config/timing-floor.js';
import { boundedStopMs, combineLeaseGuards, createNode, DynamicConfigTracker, systemClock, systemRandom, watchdogLeaseGuard } from '@pgwarden/core';
import { dcsConfigKeyWarnings } from '../api/config-keys.js';
import { LoopDelayMonitor } from '../api/loop-delay.js';
import { RestApiServer, type RestApiOptions } from '../api/server.js';
import type { RestApiConfig } from '../api/types.js';
import type { CliIo } from '../cli/io.js';
import type { LocalConfig } from '../config/local-config.js';
import { apiActions, scheduledRestarts } from './api-actions.js';
import { loadStartConfig } from './config-load.js';
import { DaemonStartError } from './errors.js';
import { startFence, type FenceDriver } from './fence-driver.js';
import { createWatchdog } from './watchdog-driver.js';
import { createLogger, logSettingsOf, type DaemonLogger } from './log.js';
import { toNodeConfig, PATRONI_VERSION } from './node-config.js';
import { agentVersion } from '../cli/version.js';
import { ObservedController } from './observed-controller.js';
import { DcsWaitAborted, oneLine, openDcsWhenReachable } from './open-dcs.js';
import { agentPeerClient } from './peers.js';
import { toLocalPostgresConfig } from './postgres-config.js';
import { reloadConfig, type MutableNodeConfig } from './reload.js';
import { restartApi } from './restart-api.js';
import { serverVersion } from './server-version.js';
import { shutdown } from './shutdown.js';
import { serviceNotifier } from './systemd-notify.js';
import { filterTags, nodeStateSource } from './state-source.js';
import { ensureUniqueName } from './unique-name.js';
import { YoungGenerationGovernor } from './young-generation.js';

export interface DaemonOptions {
  readonly configPath?: string;
  /** `--log-format`; overrides `log.type`. */
  readonly logFormat?: 'plain' | 'json';
  readonly io: CliIo;
}

export async function runDaemon(options: DaemonOptions): Promise<number> {
  try {
    return await startDaemon(options);
  } catch (error) {
    // A start failure is one line per reason; a stack trace never replaces it.
    options.io.stderr(`${error instanceof DaemonStartError ? error.message : `pgwarden: ${oneLine(error)}`}\n`);
    return 1;
  }
}

function restApiConfig(config: LocalConfig): RestApiConfig {
  const raw = (config.raw.restapi ?? {}) as Record<string, unknown>;
  const { host, port } = config.restapi.connectAddress;
  return { ...(raw as unknown as RestApiConfig), connect_address: `${host}:${port}` };
}

async function startDaemon(options: DaemonOptions): Promise<number> {
  const { io } = options;
  const { config, warnings } = await loadStartConfig(options.configPath, io.env);
  let logger: DaemonLogger;
  try {
    logger = createLogger({ ...logSettingsOf(config.log, options.logFormat), write: io.stderr });
  } catch (error) {
    throw new DaemonStartError(oneLine(error));
  }
  for (const w of warnings) logger.warn(w);
  const version = serverVersion(config.postgresql.binDir);

  // The dynamic configuration's one owner: the HA loop feeds it every /config it reads;
  // the DCS timing, the fence, the scheduler and the API read what it holds.
  const tracker = new DynamicConfigTracker(logger, config.bootstrap.dcs, {
    timingFloor: timingFloorOf(config.raw).floor,
    onNewDocument: (doc) => {
      for (const warning of dcsConfigKeyWarnings(doc)) logger.warn(warning);
    },
  });
  // SIGTERM while the DCS is still unreachable ends the wait: nothing was started yet.
  const waitAbort = new AbortController();
  const abortWait = (): void => waitAbort.abort();
  // Without a listener SIGHUP would kill the process; nothing runs yet that a reload could change.
  const hupWhileWaiting = (): void => logger.info(`SIGHUP ignored while waiting for ${config.dcs.name}: nothing is running yet`);
  process.once('SIGTERM', abortWait);
  process.once('SIGINT', abortWait);
  process.on('SIGHUP', hupWhileWaiting);
  let opened;
  try {
    opened = await openDcsWhenReachable(config, tracker.current.timing, logger, { signal: waitAbort.signal });
  } catch (error) {
    if (!(error instanceof DcsWaitAborted)) throw error;
    logger.info(`pgwarden ${config.name} stopped while waiting for ${config.dcs.name}; nothing was started`);
    return 0;
  } finally {
    process.off('SIGTERM', abortWait);
    process.off('SIGINT', abortWait);
    process.off('SIGHUP', hupWhileWaiting);
  }
  const { dcs, cluster: firstCluster } = opened;
  const first = { cluster: firstCluster };
  try {
    await ensureUniqueName(first.cluster, config.name);
  } catch (error) {
    await dcs.close().catch(() => undefined);
    throw error;
  }
  if (first.cluster.config && Object.keys(first.cluster.config.data).length) tracker.update(first.cluster.config.data, first.cluster.config.modifyVersion);
  // The adapter was opened with bootstrap.dcs's timing; the cluster's /config rules from now on.
  dcs.setTiming(tracker.current.timing);
  // After the unique-name check, as in Patroni: `watchdog.mode: required` where no
  // watchdog can exist exits 1 before Postgres or the API start.
  let watchdog;
  try {
    watchdog = createWatchdog(config, () => tracker.current.timing, logger);
  } catch (error) {
    await dcs.close().catch(() => undefined);
    throw error;
  }

  // Mutable on purpose: a reload changes tags and addresses, which the loop (member key)
  // and the API (/patroni) read from these objects.
  const node: MutableNodeConfig = { ...toNodeConfig(config) };
  const tags = filterTags(config.tags.raw);
  const current = { config };
  const controller = new ObservedController({
    config: toLocalPostgresConfig(config, tracker.current),
    logger,
    dynamicParameters: tracker.current.parameters as Record<string, string | number | boolean>,
    // /config's pg_hba, pg_ident and recovery_conf from the first start; later changes are the engine's.
    dynamicFiles: {
      pgHba: tracker.current.pgHba,
      pgIdent: tracker.current.pgIdent,
      recoveryConf: tracker.current.recoveryConf as Record<string, string | number | boolean> | null,
    },
  });
  let fence: FenceDriver | null;
  try {
    fence = await startFence(config, () => tracker.current.timing, logger);
  } catch (error) {
    await dcs.close().catch(() => undefined);
    throw new DaemonStartError(`fence: ${oneLine(error)}; fix pgwarden.fence_dir or set pgwarden.fence: off`);
  }
  const peers = agentPeerClient(config.raw);
  const loop = createNode({
    node,
    dcs,
    postgres: controller,
    clock: systemClock,
    random: systemRandom,
    logger,
    peers,
    leaseGuard: fence ? combineLeaseGuards(fence.guard, watchdogLeaseGuard(watchdog)) : watchdogLeaseGuard(watchdog),
    dynamicConfig: tracker,
  });

  let shuttingDown: Promise<number> | null = null;
  let api: RestApiServer;
  // Type=notify under systemd: ready once the first HA cycle has run, stopping when the shutdown starts.
  const notifier = serviceNotifier({ env: io.env, logger });
  const requestShutdown = (): void => {
    if (!shuttingDown) notifier.stopping();
    shuttingDown ??= shutdown({
      loop,
      controller,
      dcs,
      api,
      logger,
      paused: () => tracker.current.pause,
      // primary_stop_timeout (synchronous mode) may bound the shutdown's stop more tightly, as in Patroni.
      stopTimeoutMs: boundedStopMs(config.postgresql.pgCtlTimeout * 1000, tracker.current)!,
      fence: () => fence,
      watchdog,
    });
  };
  // Reloads run one at a time, in the order asked (SIGHUP and POST /reload).
  let reloading: Promise<unknown> = Promise.resolve();
  const reload = (): void => {
    reloading = reloading.then(() =>
      reloadConfig({
        configPath: options.configPath,
        io,
        logger,
        controller,
        loop,
        ...(options.logFormat && { logFormat: options.logFormat }),
        current,
        dynamic: () => tracker.current,
        node,
        tags,
        restartApi: async (next) => {
          api = await restartApi(api, apiOptions(next), logger, apiOptions(current.config));
        },
        reloadCertificates: () => api.reloadCertificates(),
        watchdog,
      }).catch((error: unknown) => logger.error(`Reload failed: ${oneLine(error)}`)),
    );
  };
  // One for the process: /metrics reports how late the event loop runs, across API rebuilds on reload.
  const loopDelay = new LoopDelayMonitor();
  const youngGeneration = new YoungGenerationGovernor();
  const unsubscribeYoungGeneration = loop.onCycleEnd(() => youngGeneration.cycleEnd());
  const restarts = scheduledRestarts({ name: config.name, dcs, loop, controller, logger, serverVersion: () => version, reload, peers });
  const apiOptions = (cfg: LocalConfig): RestApiOptions => ({
    config: restApiConfig(cfg),
    source: nodeStateSource({
      name: config.name,
      scope: config.scope,
      version: PATRONI_VERSION,
      pgwardenVersion: agentVersion(),
      loop,
      controller,
      dcs,
      dynamic: () => tracker.current,
      tags,
      fence: () => fence?.state() ?? null,
      watchdogFailed: () => !watchdog.isHealthy(tracker.current.timing),
      scheduledRestart: () => restarts.view(),
    }),
    actions: apiActions({ name: config.name, dcs, loop, controller, logger, serverVersion: () => version, reload, scheduled: restarts, peers }),
    logger,
    loopDelay,
    onRequest: () => youngGeneration.request(),
  });
  try {
    api = await RestApiServer.start(apiOptions(config));
  } catch (error) {
    await fence?.stop().catch(() => undefined);
    await dcs.close().catch(() => undefined);
    throw new DaemonStartError(`restapi.listen = ${String((config.raw.restapi as Record<string, unknown>)?.listen)}: cannot listen: ${oneLine(error)}`);
  }

  const finished = new Promise<number>((resolve) => {
    const onStop = (): void => {
      requestShutdown();
      void shuttingDown!.then(resolve, (error: unknown) => {
        logger.error(`Shutdown failed: ${oneLine(error)}`);
        resolve(1);
      });
    };
    process.once('SIGTERM', onStop);
    process.once('SIGINT', onStop);
    // The loop stops by itself on a fatal condition (e.g. a failed bootstrap): so do we.
    // Only a cycle sets `fatal`, so the cycle-end hook sees it without an idle timer;
    // setImmediate lets the loop finish that cycle and stop before the shutdown begins.
    const unsubscribeFatal = loop.onCycleEnd(({ fatal }) => {
      if (!fatal) return;
      unsubscribeFatal();
      setImmediate(() => {
        logger.critical(fatal);
        requestShutdown();
        void shuttingDown!.then(() => resolve(1), () => resolve(1));
      });
    });
  });
  process.on('SIGHUP', reload);
  // A bug must not kill the agent with a bare stack trace: say what failed and keep going.
  const onUnhandled = (error: unknown): void => {
    logger.error(`Unexpected error, please report it as a bug: ${oneLine(error)}`, { cause: error instanceof Error ? error.stack : String(error) });
  };
  process.on('unhandledRejection', onUnhandled);
  logger.info(`Starting pgwarden ${PATRONI_VERSION}-compatible agent ${config.name} of cluster ${config.scope}; REST API on ${api.url}`);
  const unsubscribeReady = loop.onCycleEnd(() => {
    unsubscribeReady();
    notifier.ready();
  });
  loop.start();
  const code = await finished;
  process.off('SIGHUP', reload);
  process.off('unhandledRejection', onUnhandled);
  unsubscribeYoungGeneration();
  logger.info(`pgwarden ${config.name} stopped`);
  logger.close();
  // Whatever a client library still holds open must not keep a stopped agent alive.
  setTimeout(() => process.exit(code), 2000).unref();
  return code;
}
