/**
 * A node without a data directory (§1.6) and the end of our own bootstrap (§1.4).
 */
import type { Member } from '../../dcs/cluster.js';
import { decision, prepend, type Action, type Decision } from '../actions.js';
import { memberTags, sysidValid, upstreamOf, type Ctx } from './context.js';
import { bootstrapWaitMessage, standbyBootstrapDecision } from './standby-cluster.js';

/** The data directory is empty or unreadable. */
export function decideWithoutDataDirectory(ctx: Ctx): Decision {
  const dir = ctx.local.dataDir;
  const accessible = dir.kind !== 'not-accessible';
  const stop: Action[] = ctx.local.running ? [{ type: 'stopPostgres', mode: 'immediate' }] : [];
  if (ctx.ownsLock) {
    return decision(
      'data-dir-gone-released-lock',
      `released leader key voluntarily as data dir ${accessible ? 'empty' : 'not accessible'} and currently leader`,
      [...stop, { type: 'releaseLeader' }],
    );
  }
  if (dir.kind === 'not-accessible') return decision('data-dir-not-accessible', `data directory is not accessible: ${dir.reason}`, stop);
  if (ctx.paused) return decision('data-dir-empty-paused', 'running with empty data directory', stop);
  return prepend(stop, bootstrapNewNode(ctx));
}

function bootstrapNewNode(ctx: Ctx): Decision {
  const { cluster } = ctx;
  if (ctx.unlocked && cluster.initialize === null && !ctx.node.tags.nofailover && ctx.node.canBootstrap) {
    const standby = standbyBootstrapDecision(ctx);
    if (standby) {
      return decision(standby.reason, standby.message, [
        { type: 'claimInitialize', onWon: standby, onLost: decision('bootstrap-race-lost', 'failed to acquire initialize lock') },
      ]);
    }
    return decision('bootstrap-race-won', 'trying to bootstrap a new cluster', [
      {
        type: 'claimInitialize',
        onWon: decision('bootstrap-race-won', 'trying to bootstrap a new cluster', [
          { type: 'remember', patch: { bootstrap: 'running' } },
          // Strict mode: the new primary starts with '*' so no commit is acknowledged
          // before a synchronous standby confirms it (a stopped Postgres keeps it for its start).
          ...(ctx.syncMode && ctx.config.synchronousModeStrict ? [{ type: 'setSyncStandbyNames', value: '*' } as const] : []),
          { type: 'bootstrap' },
        ]),
        onLost: decision('bootstrap-race-lost', 'failed to acquire initialize lock'),
      },
    ]);
  }
  const source = cloneMember(ctx);
  if (!ctx.unlocked && source) {
    const isLeader = source.name === cluster.leader?.name;
    const what = `from ${isLeader ? 'leader' : 'replica'} '${source.name}'`;
    return decision(isLeader ? 'bootstrap-clone-leader' : 'bootstrap-clone-replica', `trying to bootstrap ${what}`, [
      { type: 'remember', patch: { rewind: 'initial' } },
      { type: 'clone', source: upstreamOf(source), task: `bootstrap ${what}` },
    ]);
  }
  // initialize === "" means someone is bootstrapping right now: wait for it rather than clone from a backup.
  if (ctx.node.canCloneWithoutLeader && cluster.initialize !== '') {
    return decision('bootstrap-clone-no-leader', 'trying to bootstrap (without leader)', [
      { type: 'remember', patch: { rewind: 'initial' } },
      { type: 'clone', source: null, task: 'bootstrap (without leader)' },
    ]);
  }
  return decision('bootstrap-waiting-leader', bootstrapWaitMessage(ctx));
}

/** A running member tagged clonefrom (not us, not the leader), chosen at random; else the leader. */
function cloneMember(ctx: Ctx): Member | null {
  const leader = ctx.cluster.leader;
  const candidates = ctx.cluster.members.filter(
    (m) => m.name !== ctx.me && m.name !== leader?.name && memberTags(m).clonefrom && m.data.state === 'running',
  );
  if (candidates.length) return candidates[Math.floor(ctx.view.random * candidates.length)] ?? candidates[0]!;
  return leader?.member ?? null;
}

/** Our bootstrap task finished; finish the job or give the cluster back (§1.4). */
export function decideAfterBootstrap(ctx: Ctx): Decision {
  const stage = ctx.memory.bootstrap;
  // `running` with no task left means its result was lost: treat it as a failure, never as success.
  if (!ctx.local.running || stage === 'failed' || stage === 'running') {
    return decision('bootstrap-cancelled', 'removing initialize key after failed attempt to bootstrap the cluster', [
      { type: 'remember', patch: { bootstrap: null } },
      { type: 'cancelInitialization' },
    ]);
  }
  if (stage === 'started') {
    if (ctx.local.observation?.inRecovery) return decision('bootstrap-waiting-recovery', 'waiting for end of recovery after bootstrap');
    return decision('bootstrap-post', 'running post_bootstrap', [{ type: 'postBootstrap' }]);
  }
  const sysid = ctx.local.dataDir.kind === 'valid' ? ctx.local.dataDir.sysid : '';
  const actions: Action[] = [{ type: 'remember', patch: { bootstrap: null, checkpointAfterPromote: 'needed', startCallbackFired: true } }];
  if (sysidValid(sysid)) actions.push({ type: 'initialize', createNew: ctx.cluster.initialize === null, sysid });
  actions.push({ type: 'writeConfig', data: ctx.node.bootstrapDcsConfig });
  // An overwrite, not a race: we won `initialize`, so the cluster is ours.
  actions.push({ type: 'takeLeader' }, ...ctx.armGuard);
  if (ctx.syncMode) actions.push({ type: 'setSyncStandbyNames', value: ctx.config.synchronousModeStrict ? '*' : null });
  const initialized = decision('bootstrap-initialized', 'initialized a new cluster', actions);
  const watchdog = ctx.view.watchdog;
  if (!watchdog || watchdog.mode === 'off') return initialized;
  // The new primary takes the lock only with the watchdog `required` asks for (spec/ha.md §3.11).
  const cancel = decision('bootstrap-cancelled', 'Cancelling bootstrap because watchdog activation failed', [
    { type: 'remember', patch: { bootstrap: null } },
    { type: 'cancelInitialization' },
  ]);
  return decision(initialized.reason, initialized.message, [{ type: 'activateWatchdog', onActivated: initialized, onFailed: cancel }]);
}
