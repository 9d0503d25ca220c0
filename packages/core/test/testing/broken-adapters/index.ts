/** Every deliberately broken adapter, one rule each. */
import { callsAfterClose } from './calls-after-close.js';
import { closeKeepsSession } from './close-keeps-session.js';
import { createSkipsReachability } from './create-skips-reachability.js';
import type { BrokenAdapter } from './forwarding.js';
import { ignoresDeadline } from './ignores-deadline.js';
import { listenersNotIsolated } from './listeners-not-isolated.js';
import { lostWhenUnreachable } from './lost-when-unreachable.js';
import { memberKeyPersistent } from './member-key-persistent.js';
import { overstatedValidUntil } from './overstated-valid-until.js';
import { recreatesLeaderKey } from './recreates-leader-key.js';
import { refreshIgnoresHolder } from './refresh-ignores-holder.js';
import { releaseNotOwner } from './release-not-owner.js';
import { removeIgnoresVersion } from './remove-ignores-version.js';
import { staleReadForever } from './stale-read-forever.js';
import { touchSkipsRenewal } from './touch-skips-renewal.js';
import { ttlChangeNotApplied } from './ttl-change-not-applied.js';
import { unconditionalAcquire } from './unconditional-acquire.js';
import { watchDiesOnOutage } from './watch-dies-on-outage.js';
import { watchMissesExpiry } from './watch-misses-expiry.js';
import { writeIgnoresAbsent } from './write-ignores-absent.js';
import { writeIgnoresVersion } from './write-ignores-version.js';
import { wrongKeyPath } from './wrong-key-path.js';

export type { BrokenAdapter };

export const BROKEN_ADAPTERS: Readonly<Record<string, BrokenAdapter>> = {
  'remove ignores its version': removeIgnoresVersion,
  'update ignores its version': writeIgnoresVersion,
  'create-if-absent overwrites': writeIgnoresAbsent,
  'unconditional acquire': unconditionalAcquire,
  're-created leader key': recreatesLeaderKey,
  'overstated validUntil': overstatedValidUntil,
  'release by a non-owner': releaseNotOwner,
  'refresh ignores the holder': refreshIgnoresHolder,
  'lost reported while the server is down': lostWhenUnreachable,
  'cached read served forever while the server is silent': staleReadForever,
  'member key outlives its session': memberKeyPersistent,
  'touch skips the renewal': touchSkipsRenewal,
  'ttl change reported but not applied': ttlChangeNotApplied,
  'keys at the wrong path': wrongKeyPath,
  'watch misses expiry deletions': watchMissesExpiry,
  'watch dies with the connection': watchDiesOnOutage,
  'listeners not isolated': listenersNotIsolated,
  'calls after close not rejected': callsAfterClose,
  'missing deadline (a call hangs)': ignoresDeadline,
  'close leaves the session to expire': closeKeepsSession,
  'create skips the reachability check': createSkipsReachability,
};
