import type { Action } from '../../src/index.js';
export { decide, walk } from '../../src/index.js';
export type SyncSlotsAction = Extract<Action, { type: 'syncSlots' }>;
