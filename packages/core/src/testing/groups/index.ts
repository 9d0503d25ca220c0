/** Every group of the kit, in the order it runs. */
import type { GroupRegistrar } from '../case.js';
import type { ConformanceGroup } from '../target.js';
import { expiryGroup } from './expiry.js';
import { layoutGroup } from './layout.js';
import { lifecycleGroup } from './lifecycle.js';
import { lockGroup } from './lock.js';
import { outageGroup } from './outage.js';
import { sessionGroup } from './session.js';
import { watchGroup } from './watch.js';
import { writesGroup } from './writes.js';

export const GROUPS: Record<ConformanceGroup, { readonly title: string; readonly register: GroupRegistrar }> = {
  layout: { title: 'key layout', register: layoutGroup },
  lock: { title: 'leader lock', register: lockGroup },
  expiry: { title: 'TTL expiry', register: expiryGroup },
  writes: { title: 'persistent keys', register: writesGroup },
  watch: { title: 'watch', register: watchGroup },
  lifecycle: { title: 'lifecycle and deadlines', register: lifecycleGroup },
  session: { title: 'session loss', register: sessionGroup },
  outage: { title: 'server outage', register: outageGroup },
};

export const ALL_CONFORMANCE_GROUPS = Object.keys(GROUPS) as ConformanceGroup[];
