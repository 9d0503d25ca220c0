export * from './target.js';
export { describeDcsConformance, ALL_CONFORMANCE_GROUPS } from './conformance.js';
export { waitFor, withTimeout } from './harness.js';
export { memoryConformanceFactory } from './memory-target.js';
