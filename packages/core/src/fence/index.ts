export { Fence, DISABLED_FENCE, type FenceControl, type FenceHandle, type FenceState, type FenceReport, type FenceStartOptions, type FenceDeps } from './fence.js';
export { readFenceSettings, fenceTimingProblem, DEFAULT_FENCE_MARGIN_S, type FenceSettings } from './settings.js';
export { type FireReason } from './report.js';
export { fenceLeaseGuard } from './lease-guard.js';
export { defaultFenceStateDir } from './state-dir.js';
