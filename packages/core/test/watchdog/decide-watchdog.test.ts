/**
 * The watchdog in decide() (spec/ha.md §3.11): `required` with an unusable device keeps a
 * node out of the leader race; the device is activated before promotion and after
 * bootstrap, and a failed activation gives the lock back (or demotes a primary).
 */
import { describe, expect, it } from 'vitest';
import type { HaView, WatchdogView } from '../../src/index.js';
import { ledByMe, makeCluster, member, peer, view, type ViewSpec } from '../ha/fixtures.js';
import { run } from '../ha/helpers.js';

const unlocked = () => makeCluster({ leader: null, members: [member('n1', { xlog_location: 1000 }), member('n2', { xlog_location: 1000 })] });
const healthy = [peer('n2', { walPosition: 900 })];
const withWatchdog = (spec: ViewSpec, w: WatchdogView): HaView => ({ ...view(spec), watchdog: w });

const REQUIRED_OK: WatchdogView = { mode: 'required', running: false, healthy: true };
const REQUIRED_BROKEN: WatchdogView = { mode: 'required', running: false, healthy: false };

describe('decide: the watchdog in the leader race', () => {
  it('required with an unusable device: the node does not race and follows', () => {
    const r = run(withWatchdog({ cluster: unlocked(), peers: healthy }, REQUIRED_BROKEN));
    expect(r.leaf.reason).toBe('race-not-healthiest-follow');
    expect(r.steps).not.toContain('acquireLeader');
  });

  it('the same node without the watchdog requirement would have won (the check is what excludes it)', () => {
    const r = run(withWatchdog({ cluster: unlocked(), peers: healthy }, { ...REQUIRED_BROKEN, mode: 'automatic', healthy: true }), ['held', 'activated']);
    expect(r.leaf.reason).toBe('race-acquired-promote');
  });

  it('a peer reporting watchdog_failed is skipped even when it is further ahead', () => {
    const r = run(view({ cluster: unlocked(), peers: [peer('n2', { walPosition: 5000, watchdogFailed: true })] }), ['held']);
    expect(r.leaf.reason).toBe('race-acquired-promote');
    const without = run(view({ cluster: unlocked(), peers: [peer('n2', { walPosition: 5000 })] }));
    expect(without.leaf.reason).toBe('race-not-healthiest-follow');
  });

  it('the winner activates the watchdog before promoting', () => {
    const r = run(withWatchdog({ cluster: unlocked(), peers: healthy }, REQUIRED_OK), ['held', 'activated']);
    expect(r.leaf.reason).toBe('race-acquired-promote');
    expect(r.steps).toEqual(['acquireLeader', 'activateWatchdog', 'remember:failsafeActive', 'promote']);
  });

  it('activation failing after winning: no promotion, the lock is given back', () => {
    const r = run(withWatchdog({ cluster: unlocked(), peers: healthy }, REQUIRED_OK), ['held', 'failed']);
    expect(r.leaf.reason).toBe('watchdog-activation-failed-release');
    expect(r.leaf.message).toBe('Not promoting self because watchdog could not be activated');
    expect(r.steps).toEqual(['acquireLeader', 'activateWatchdog', 'releaseLeader']);
  });
});

describe('decide: the watchdog on the lock holder', () => {
  it('a primary with the lock whose watchdog is not running activates it; failure demotes immediately', () => {
    const spec: ViewSpec = { cluster: ledByMe(), local: 'primary' };
    const ok = run(withWatchdog(spec, REQUIRED_OK), ['held', 'activated']);
    expect(ok.leaf.reason).toBe('leader-no-action');
    expect(ok.steps.slice(0, 3)).toEqual(['refreshLeader', 'writeStatus', 'activateWatchdog']);
    const failed = run(withWatchdog(spec, REQUIRED_OK), ['held', 'failed']);
    expect(failed.leaf.reason).toBe('watchdog-activation-failed-demote');
    expect(failed.leaf.message).toBe('Demoting self because watchdog could not be activated');
    expect(failed.steps).toContain('demote:immediate');
  });

  it('a running watchdog, mode off, or pause: no activation step', () => {
    const spec: ViewSpec = { cluster: ledByMe(), local: 'primary' };
    for (const w of [{ ...REQUIRED_OK, running: true }, { mode: 'off', running: false, healthy: true } as const]) {
      const r = run(withWatchdog(spec, w), ['held']);
      expect(r.leaf.reason).toBe('leader-no-action');
      expect(r.steps).not.toContain('activateWatchdog');
    }
    const paused = run(withWatchdog({ ...spec, cluster: ledByMe({ config: { ttl: 30, loop_wait: 10, pause: true } }) }, REQUIRED_OK), ['held']);
    expect(paused.steps).not.toContain('activateWatchdog');
  });

  it('after bootstrap the lock is taken only once the watchdog is active; failure cancels the bootstrap', () => {
    const spec: ViewSpec = { local: 'primary', cluster: makeCluster({ leader: null, initialize: '' }), memory: { bootstrap: 'done' } };
    const ok = run(withWatchdog(spec, REQUIRED_OK), ['activated']);
    expect(ok.leaf.reason).toBe('bootstrap-initialized');
    expect(ok.steps.indexOf('activateWatchdog')).toBeLessThan(ok.steps.indexOf('takeLeader'));
    const failed = run(withWatchdog(spec, REQUIRED_OK), ['failed']);
    expect(failed.leaf.reason).toBe('bootstrap-cancelled');
    expect(failed.leaf.message).toBe('Cancelling bootstrap because watchdog activation failed');
    expect(failed.steps).toContain('cancelInitialization');
    expect(failed.steps).not.toContain('takeLeader');
  });

  it('without a watchdog port the decision tree is unchanged', () => {
    const r = run(view({ cluster: unlocked(), peers: healthy }), ['held']);
    expect(r.steps).toEqual(['acquireLeader', 'remember:failsafeActive', 'promote']);
  });
});
