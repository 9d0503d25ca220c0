import { MemoryDcsServer } from '../../src/index.js';
import { memoryDcsModule, memoryServerHandle, runConformance } from '../../src/testing/index.js';

const server = new MemoryDcsServer();
runConformance({ name: 'MemoryDcs', module: memoryDcsModule(server), server: memoryServerHandle(server) });
