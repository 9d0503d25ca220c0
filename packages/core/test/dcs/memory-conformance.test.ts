import { MEMORY_CAPABILITIES } from '../../src/index.js';
import { describeDcsConformance, memoryConformanceFactory } from '../../src/testing/index.js';

describeDcsConformance('MemoryDcs', memoryConformanceFactory(), MEMORY_CAPABILITIES);
