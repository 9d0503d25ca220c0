/**
 * Decision tables for the core path: preamble, bootstrap, the leader race, the lock
 * holder, followers, DCS failure. Each row: (cluster, local state) → the actions along a
 * path through the gates, the reason and Patroni's message.
 */
import { describe, expect, it } from 'vitest';
import type { HaView } from '../../src/index.js';
import { ledByMe, makeCluster, member, OTHER_SYSID, peer, view } from './fixtures.js';
import { run } from './helpers.js';

interface Row {
  name: string;
  view: HaView;
  path?: string[];
  reason: string;
  message: string;
  steps: string[];
}

function table(rows: Row[]): void {
  for (const row of rows) {
    it(row.name, () => {
      const r = run(row.view, row.path);
      expect(r.leaf.reason).toBe(row.reason);
      expect(r.leaf.message).toBe(row.message);
      expect(r.steps).toEqual(row.steps);
    });
  }
}

const unlocked = (extra: Parameters<typeof makeCluster>[0] = {}) =>
  makeCluster({ leader: null, members: [member('n1', { xlog_location: 1000 }), member('n2', { xlog_location: 1000 })], ...extra });

describe('decide: bootstrap and data directory (§1.4, §1.6)', () => {
  table([
    {
      name: 'empty cluster, empty data dir: race for initialize and bootstrap on win',
      view: view({ cluster: makeCluster({ leader: null, initialize: null, members: [] }), local: 'empty' }),
      path: ['won'],
      reason: 'bootstrap-race-won',
      message: 'trying to bootstrap a new cluster',
      steps: ['touchMember', 'claimInitialize', 'remember:bootstrap', 'bootstrap'].filter((s) => s !== 'touchMember'),
    },
    {
      name: 'losing the initialize race waits',
      view: view({ cluster: makeCluster({ leader: null, initialize: null, members: [] }), local: 'empty' }),
      path: ['lost'],
      reason: 'bootstrap-race-lost',
      message: 'failed to acquire initialize lock',
      steps: ['claimInitialize'],
    },
    {
      name: 'nofailover never bootstraps a new cluster',
      view: view({ cluster: makeCluster({ leader: null, initialize: null, members: [] }), local: 'empty', tags: { nofailover: true } }),
      reason: 'bootstrap-waiting-leader',
      message: 'waiting for leader to bootstrap',
      steps: [],
    },
    {
      name: 'a cluster with a leader: clone from it',
      view: view({ local: 'empty' }),
      reason: 'bootstrap-clone-leader',
      message: "trying to bootstrap from leader 'n2'",
      steps: ['remember:rewind', 'clone:n2'],
    },
    {
      name: 'a running clonefrom replica is preferred over the leader',
      view: view({
        local: 'empty',
        cluster: makeCluster({ members: [member('n1'), member('n2', { role: 'primary' }), member('n3', { tags: { clonefrom: true } })] }),
      }),
      reason: 'bootstrap-clone-replica',
      message: "trying to bootstrap from replica 'n3'",
      steps: ['remember:rewind', 'clone:n3'],
    },
    {
      name: 'someone is bootstrapping (initialize = ""): wait, even with a no_leader method',
      view: view({ local: 'empty', cluster: makeCluster({ leader: null, initialize: '' }), node: { canCloneWithoutLeader: true } }),
      reason: 'bootstrap-waiting-leader',
      message: 'waiting for leader to bootstrap',
      steps: [],
    },
    {
      name: 'no leader but a no_leader replica method: clone without a leader',
      view: view({ local: 'empty', cluster: makeCluster({ leader: null }), node: { canCloneWithoutLeader: true } }),
      reason: 'bootstrap-clone-no-leader',
      message: 'trying to bootstrap (without leader)',
      steps: ['remember:rewind', 'clone:none'],
    },
    {
      name: 'the lock holder whose data dir vanished releases the lock',
      view: view({ local: 'empty', cluster: ledByMe() }),
      path: [],
      reason: 'data-dir-gone-released-lock',
      message: 'released leader key voluntarily as data dir empty and currently leader',
      steps: ['releaseLeader'],
    },
    {
      name: 'post-bootstrap: Postgres up after bootstrap runs post_bootstrap',
      view: view({ local: 'primary', cluster: makeCluster({ leader: null, initialize: '' }), memory: { bootstrap: 'started' } }),
      reason: 'bootstrap-post',
      message: 'running post_bootstrap',
      steps: ['postBootstrap'],
    },
    {
      name: 'post-bootstrap done: sysid, config, take the lock',
      view: view({ local: 'primary', cluster: makeCluster({ leader: null, initialize: '' }), memory: { bootstrap: 'done' } }),
      reason: 'bootstrap-initialized',
      message: 'initialized a new cluster',
      steps: ['remember:bootstrap,checkpointAfterPromote,startCallbackFired', 'initialize', 'writeConfig', 'takeLeader'],
    },
    {
      name: 'bootstrap failed: cancel initialization (fatal)',
      view: view({ local: 'stopped', cluster: makeCluster({ leader: null, initialize: '' }), memory: { bootstrap: 'failed' } }),
      reason: 'bootstrap-cancelled',
      message: 'removing initialize key after failed attempt to bootstrap the cluster',
      steps: ['remember:bootstrap', 'cancelInitialization'],
    },
  ]);
});

describe('decide: membership (§1.6)', () => {
  table([
    {
      name: 'a data dir from another cluster is fatal',
      view: view({ cluster: makeCluster({ initialize: OTHER_SYSID }) }),
      reason: 'sysid-mismatch',
      message: `system ID mismatch, node n1 belongs to a different cluster: ${OTHER_SYSID} != 7000000000000000001`,
      steps: ['fatal'],
    },
    {
      name: 'in pause a mismatching lock holder releases the lock instead',
      view: view({ cluster: ledByMe({ initialize: OTHER_SYSID }), local: 'primary', config: { pause: true } }),
      reason: 'sysid-mismatch-released-lock',
      message: 'PAUSE: released leader key voluntarily due to the system ID mismatch',
      steps: ['remember:wasPaused', 'releaseLeader'],
    },
    {
      name: 'first cycle on a running primary with no initialize key: take over and write the sysid',
      view: view({ cluster: unlocked({ initialize: null }), local: 'primary', memory: { startCallbackFired: false }, peers: [peer('n2')] }),
      path: ['held'],
      reason: 'race-acquired-as-primary',
      message: 'acquired session lock as a leader',
      steps: ['initialize', 'acquireLeader', 'remember:startCallbackFired'],
    },
    {
      name: 'first cycle on a running replica with no initialize key: refuse (fatal)',
      view: view({ cluster: unlocked({ initialize: null }), memory: { startCallbackFired: false } }),
      reason: 'takeover-replica-without-initialize',
      message: 'No initialize key in DCS and PostgreSQL is running as replica, aborting start. Please first start Patroni on the node running as primary',
      steps: ['fatal'],
    },
  ]);
});

describe('decide: the leader race (§1.8)', () => {
  const healthy = [peer('n2', { walPosition: 900 })];
  table([
    {
      name: 'healthiest replica wins the lock and promotes',
      view: view({ cluster: unlocked(), peers: healthy }),
      path: ['held'],
      reason: 'race-acquired-promote',
      message: 'promoted self to leader by acquiring session lock',
      steps: ['acquireLeader', 'remember:failsafeActive', 'promote'],
    },
    {
      name: 'a replica losing the lock race looks again at once',
      view: view({ cluster: unlocked(), peers: healthy }),
      path: ['lost'],
      reason: 'race-lost-follow',
      message: 'following new leader after trying and failing to obtain lock',
      steps: ['acquireLeader', 'wake'],
    },
    {
      name: 'a primary losing the lock race demotes immediately',
      view: view({ cluster: unlocked(), local: 'primary', peers: healthy }),
      path: ['lost'],
      reason: 'race-lost-demote',
      message: 'demoted self after trying and failing to obtain lock',
      steps: ['acquireLeader', 'remember:rewind', 'demote:immediate-nolock'],
    },
    {
      name: 'the DCS failing during the race: a replica just reports it',
      view: view({ cluster: unlocked(), peers: healthy }),
      path: ['unavailable'],
      reason: 'race-dcs-unavailable',
      message: 'DCS is not accessible',
      steps: ['acquireLeader'],
    },
    {
      name: 'a peer further ahead wins: I follow (and keep my upstream while unlocked)',
      view: view({ cluster: unlocked(), peers: [peer('n2', { walPosition: 2000 })] }),
      reason: 'race-not-healthiest-follow',
      message: 'following a different leader because i am not the healthiest node',
      steps: [],
    },
    {
      name: 'a peer still running as primary blocks the race',
      view: view({ cluster: unlocked(), peers: [peer('n2', { inRecovery: false, walPosition: 0 })] }),
      reason: 'race-not-healthiest-follow',
      message: 'following a different leader because i am not the healthiest node',
      steps: [],
    },
    {
      name: 'unreachable and nofailover peers are ignored',
      view: view({
        cluster: unlocked({ members: [member('n1'), member('n2'), member('n3', { tags: { nofailover: true } })] }),
        peers: [peer('n2', { reachable: false, walPosition: 5000 }), peer('n3', { nofailover: true, walPosition: 5000 })],
      }),
      path: ['held'],
      reason: 'race-acquired-promote',
      message: 'promoted self to leader by acquiring session lock',
      steps: ['acquireLeader', 'remember:failsafeActive', 'promote'],
    },
    {
      name: 'equal WAL, higher failover_priority elsewhere: not me',
      view: view({ cluster: unlocked(), peers: [peer('n2', { failoverPriority: 5 })] }),
      reason: 'race-not-healthiest-follow',
      message: 'following a different leader because i am not the healthiest node',
      steps: [],
    },
    {
      name: 'lagging beyond maximum_lag_on_failover: no race',
      view: view({ cluster: unlocked({ lastLsn: 10_000_000 }), peers: [] }),
      reason: 'race-not-healthiest-follow',
      message: 'following a different leader because i am not the healthiest node',
      steps: [],
    },
    {
      name: 'check_timeline: a replica behind /history does not race',
      view: view({ cluster: unlocked({ history: [[1, 500, 'no recovery target specified']] }), config: { check_timeline: true }, peers: [] }),
      reason: 'race-not-healthiest-follow',
      message: 'following a different leader because i am not the healthiest node',
      steps: [],
    },
    {
      // pgwarden difference: promoting from timeline 1 would take timeline 2, which /history says was used.
      name: 'check_timeline off: a replica behind /history still does not race',
      view: view({ cluster: unlocked({ history: [[1, 500, 'no recovery target specified']] }), config: { check_timeline: false }, peers: [] }),
      reason: 'race-not-healthiest-follow',
      message: 'following a different leader because i am not the healthiest node',
      steps: [],
    },
    {
      name: 'a stale primary behind the cluster timeline must not retake the lock; it demotes',
      view: view({ cluster: unlocked({ history: [[1, 500, 'no recovery target specified']] }), local: 'primary', peers: [] }),
      reason: 'race-not-healthiest-demote',
      message: 'demoting self because i am not the healthiest node',
      steps: ['remember:rewind', 'demote:immediate-nolock'],
    },
    {
      name: 'a running primary on the cluster timeline retakes the lock (no WAL comparison)',
      view: view({ cluster: unlocked(), local: 'primary', peers: [peer('n2', { walPosition: 99999 })] }),
      path: ['held'],
      reason: 'race-acquired-as-primary',
      message: 'acquired session lock as a leader',
      steps: ['acquireLeader'],
    },
    {
      name: 'nofailover: follow, after giving others 2 s',
      view: view({ cluster: unlocked(), tags: { nofailover: true }, peers: healthy }),
      reason: 'race-nofailover-follow',
      message: 'following a different leader because I am not allowed to promote',
      steps: ['remember:rewind', 'sleep:2000'],
    },
    {
      name: 'failover_priority 0 behaves like nofailover',
      view: view({ cluster: unlocked(), tags: { failover_priority: 0 }, peers: healthy }),
      reason: 'race-nofailover-follow',
      message: 'following a different leader because I am not allowed to promote',
      steps: ['remember:rewind', 'sleep:2000'],
    },
    {
      name: 'back-off after a pre_promote veto',
      view: view({ cluster: unlocked(), memory: { raceBackoffUntil: 2_000_000 }, peers: healthy }),
      reason: 'race-not-healthiest-follow',
      message: 'following a different leader because i am not the healthiest node',
      steps: [],
    },
    {
      name: 'sync mode active: a node not in /sync does not race',
      view: view({ cluster: unlocked({ sync: { leader: 'n2', standbys: ['n3'] } }), config: { synchronous_mode: true }, peers: [] }),
      reason: 'race-not-healthiest-follow',
      message: 'following a different leader because i am not the healthiest node',
      steps: [],
    },
    {
      name: 'sync mode active: the former leader ahead of me does not stop the sync standby',
      view: view({
        cluster: unlocked({ sync: { leader: 'n2', standbys: ['n1'] } }),
        config: { synchronous_mode: true },
        peers: [peer('n2', { walPosition: 5000 })],
      }),
      path: ['held', 'written'],
      reason: 'race-acquired-promote',
      message: 'promoted self to leader by acquiring session lock',
      steps: ['acquireLeader', 'writeSync:[]', 'ssn:', 'remember:failsafeActive', 'promote'],
    },
    {
      name: 'sync mode: losing the /sync CAS postpones the promotion',
      view: view({ cluster: unlocked({ sync: { leader: 'n2', standbys: ['n1'] } }), config: { synchronous_mode: true }, peers: [] }),
      path: ['held', 'conflict'],
      reason: 'sync-promotion-postponed',
      message: 'Postponing promotion because synchronous replication state was updated by somebody else',
      steps: ['acquireLeader', 'writeSync:[]'],
    },
    {
      name: 'failsafe mode: a node missing from a non-empty /failsafe does not race',
      view: view({ cluster: unlocked({ failsafe: { n2: 'http://n2:8008/patroni' } }), config: { failsafe_mode: true }, peers: [] }),
      reason: 'race-not-healthiest-follow',
      message: 'following a different leader because i am not the healthiest node',
      steps: [],
    },
    {
      name: 'a vanished former leader (old cluster) that is reachable and ahead blocks the race',
      view: view({
        cluster: unlocked({ members: [member('n1')] }),
        oldCluster: makeCluster(),
        peers: [peer('n2', { walPosition: 5000 })],
      }),
      reason: 'race-not-healthiest-follow',
      message: 'following a different leader because i am not the healthiest node',
      steps: [],
    },
  ]);
});

describe('decide: the lock holder (§1.10, §1.11)', () => {
  table([
    {
      name: 'primary with the lock: renew, publish /status, no action',
      view: view({ cluster: ledByMe(), local: 'primary' }),
      path: ['held'],
      reason: 'leader-no-action',
      message: 'no action. I am (n1), the leader with the lock',
      steps: ['refreshLeader', 'writeStatus'],
    },
    {
      name: 'renewal lost: a primary demotes immediate-nolock at once',
      view: view({ cluster: ledByMe(), local: 'primary' }),
      path: ['lost'],
      reason: 'lock-lost-demote',
      message: 'demoted self because failed to update leader lock in DCS',
      steps: ['refreshLeader', 'remember:rewind', 'demote:immediate-nolock'],
    },
    {
      name: 'renewal lost in pause: the primary keeps running',
      view: view({ cluster: ledByMe(), local: 'primary', config: { pause: true } }),
      path: ['lost'],
      reason: 'lock-lost-paused-primary',
      message: 'PAUSE: continue to run as primary after failing to update leader lock in DCS',
      steps: ['remember:wasPaused', 'refreshLeader'],
    },
    {
      name: 'renewal unavailable without failsafe: demote offline, no member touch',
      view: view({ cluster: ledByMe(), local: 'primary' }),
      path: ['unavailable'],
      reason: 'dcs-unavailable-demote',
      message: 'demoting self because DCS is not accessible and I was a leader',
      steps: ['refreshLeader', 'remember:failsafeActive', 'remember:rewind', 'demote:offline'],
    },
    {
      name: 'replica holding the lock (started read-only): promote',
      view: view({ cluster: ledByMe() }),
      path: ['held'],
      reason: 'leader-promote',
      message: 'promoted self to leader because I had the session lock',
      steps: ['refreshLeader', 'writeStatus', 'remember:failsafeActive', 'promote'],
    },
    {
      name: 'a replica holding the lock that loses it does not promote',
      view: view({ cluster: ledByMe() }),
      path: ['lost'],
      reason: 'lock-lost-not-promoting',
      message: 'not promoting because failed to update leader lock in DCS',
      steps: ['refreshLeader'],
    },
    {
      name: 'pre_promote vetoed last time: release the lock and back off',
      view: view({ cluster: ledByMe(), memory: { prePromoteVetoed: true } }),
      path: ['held'],
      reason: 'pre-promote-failed',
      message: 'Promotion cancelled because the pre-promote script failed',
      steps: ['refreshLeader', 'writeStatus', 'remember:prePromoteVetoed,raceBackoffUntil', 'releaseLeader'],
    },
    {
      name: 'a fresh primary owes its post-promote checkpoint',
      view: view({ cluster: ledByMe(), local: 'primary', memory: { checkpointAfterPromote: 'needed' } }),
      path: ['held'],
      reason: 'leader-no-action',
      message: 'no action. I am (n1), the leader with the lock',
      steps: ['refreshLeader', 'writeStatus', 'checkpoint'],
    },
    {
      name: 'failsafe mode: the leader publishes /failsafe after renewing',
      view: view({ cluster: ledByMe(), local: 'primary', config: { failsafe_mode: true } }),
      path: ['held'],
      reason: 'leader-no-action',
      message: 'no action. I am (n1), the leader with the lock',
      steps: ['refreshLeader', 'writeStatus', 'writeFailsafe'],
    },
    {
      name: 'timeline 2 without a matching /history line: rewrite /history',
      view: view({ cluster: ledByMe({ history: [] }), local: 'primary', obs: { timeline: 2, inRecovery: false } }),
      path: ['held'],
      reason: 'leader-no-action',
      message: 'no action. I am (n1), the leader with the lock',
      steps: ['refreshLeader', 'writeStatus', 'writeHistory'],
    },
  ]);
});

describe('decide: followers (§1.11, §1.12)', () => {
  table([
    {
      name: 'a replica follows the leader',
      view: view(),
      reason: 'follower-following',
      message: 'no action. I am (n1), a secondary, and following a leader (n2)',
      steps: ['follow:n2'],
    },
    {
      name: 'a primary without the lock demotes immediate-nolock',
      view: view({ local: 'primary' }),
      reason: 'follower-demote',
      message: 'demoting self because I do not have the lock and I was a leader',
      steps: ['remember:rewind', 'demote:immediate-nolock'],
    },
    {
      name: 'replicatefrom an existing member: cascade from it',
      view: view({ tags: { replicatefrom: 'n3' }, cluster: makeCluster({ members: [member('n1'), member('n2', { role: 'primary' }), member('n3')] }) }),
      reason: 'follower-following',
      message: 'no action. I am (n1), a secondary, and following a leader (n2)',
      steps: ['follow:n3'],
    },
    {
      name: 'replicatefrom a missing member: fall back to the leader',
      view: view({ tags: { replicatefrom: 'gone' } }),
      reason: 'follower-following',
      message: 'no action. I am (n1), a secondary, and following a leader (n2)',
      steps: ['follow:n2'],
    },
    {
      name: 'nostream: follow nobody (archive only)',
      view: view({ tags: { nostream: true } }),
      reason: 'follower-following',
      message: 'no action. I am (n1), a secondary, and following a leader (n2)',
      steps: ['follow:none'],
    },
    {
      name: 'in pause a primary without the lock keeps running',
      view: view({ local: 'primary', config: { pause: true } }),
      reason: 'paused-primary-without-lock',
      message: 'PAUSE: continue to run as primary without lock',
      steps: ['remember:wasPaused'],
    },
    {
      name: 'rewind check: divergence found and pg_rewind allowed → rewind task',
      view: view({ memory: { rewind: 'check' }, config: { postgresql: { use_pg_rewind: true } } }),
      path: ['needed'],
      reason: 'rewind',
      message: 'running pg_rewind from n2',
      steps: ['checkDivergence', 'remember:rewind', 'rewind:n2'],
    },
    {
      name: 'rewind check: not needed → follow and remember',
      view: view({ memory: { rewind: 'check' }, config: { postgresql: { use_pg_rewind: true } } }),
      path: ['notNeeded'],
      reason: 'follower-following',
      message: 'no action. I am (n1), a secondary, and following a leader (n2)',
      steps: ['checkDivergence', 'remember:rewind', 'follow:n2'],
    },
    {
      name: 'divergence without rewind but with remove_data_directory_on_diverged_timelines → reinitialize',
      view: view({ memory: { rewind: 'check' }, node: { removeDataDirectoryOnDivergedTimelines: true } }),
      path: ['needed'],
      reason: 'reinitialize',
      message: 'reinitializing due to diverged timelines',
      steps: ['checkDivergence', 'remember:rewind', 'reinitialize'],
    },
  ]);
});

describe('decide: DCS unreachable (§1.14)', () => {
  const lastCluster = ledByMe({ failsafe: { n1: 'http://n1:8008/patroni', n2: 'http://n2:8008/patroni' } });
  table([
    {
      name: 'a replica keeps running',
      view: view({ cluster: 'unavailable', lastCluster: makeCluster() }),
      reason: 'dcs-unavailable',
      message: 'DCS is not accessible',
      steps: [],
    },
    {
      name: 'a primary without failsafe demotes offline',
      view: view({ cluster: 'unavailable', lastCluster, local: 'primary' }),
      reason: 'dcs-unavailable-demote',
      message: 'demoting self because DCS is not accessible and I was a leader',
      steps: ['remember:failsafeActive', 'remember:rewind', 'demote:offline'],
    },
    {
      name: 'failsafe: every member accepts → keep running as leader',
      view: view({ cluster: 'unavailable', lastCluster, local: 'primary', config: { failsafe_mode: true } }),
      path: ['accepted'],
      reason: 'failsafe-continue-as-leader',
      message: 'continue to run as a leader because failsafe mode is enabled and all members are accessible',
      steps: ['failsafeCheck', 'remember:failsafeActive'],
    },
    {
      name: 'failsafe: someone refuses → demote offline',
      view: view({ cluster: 'unavailable', lastCluster, local: 'primary', config: { failsafe_mode: true } }),
      path: ['rejected'],
      reason: 'dcs-unavailable-demote',
      message: 'demoting self because DCS is not accessible and I was a leader',
      steps: ['failsafeCheck', 'remember:failsafeActive', 'remember:rewind', 'demote:offline'],
    },
    {
      name: 'failsafe: not listed in /failsafe → demote offline',
      view: view({ cluster: 'unavailable', lastCluster: ledByMe({ failsafe: { n2: 'x' } }), local: 'primary', config: { failsafe_mode: true } }),
      reason: 'dcs-unavailable-demote',
      message: 'demoting self because DCS is not accessible and I was a leader',
      steps: ['remember:failsafeActive', 'remember:rewind', 'demote:offline'],
    },
    {
      name: 'in pause a primary is left alone',
      view: view({ cluster: 'unavailable', lastCluster, local: 'primary', config: { pause: true } }),
      reason: 'dcs-unavailable',
      message: 'PAUSE: DCS is not accessible',
      steps: [],
    },
  ]);

  it('never touches the member key on a DCS-failed path, and always does otherwise', () => {
    const failed = run(view({ cluster: ledByMe(), local: 'primary' }), ['unavailable']);
    expect(failed.all).not.toContain('touchMember');
    const ok = run(view({ cluster: ledByMe(), local: 'primary' }), ['held']);
    // The member touch closes the cycle's work; only the lease guard's settling follows it.
    expect(ok.all.slice(-2)).toEqual(['touchMember', 'settleLeaseGuard']);
  });

  it('a lost lock never reaches the failsafe check, even with failsafe mode on', () => {
    const r = run(view({ cluster: ledByMe({ failsafe: { n1: 'a', n2: 'b' } }), local: 'primary', config: { failsafe_mode: true } }), ['lost']);
    expect(r.steps).toEqual(['refreshLeader', 'remember:rewind', 'demote:immediate-nolock']);
  });
});
