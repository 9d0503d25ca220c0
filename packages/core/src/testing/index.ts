export * from './target.js';
export { describeDcsConformance, ALL_CONFORMANCE_GROUPS } from './conformance.js';
export { runConformance, moduleConformance, type ConformanceServerHandle, type ModuleConformanceOptions } from './run-conformance.js';
export { runConformanceCases, type ConformanceResult, type RunCasesOptions } from './runner.js';
export { waitFor, withTimeout } from './harness.js';
export { memoryConformanceFactory, memoryDcsModule, memoryServerHandle, type MemorySection } from './memory-target.js';
