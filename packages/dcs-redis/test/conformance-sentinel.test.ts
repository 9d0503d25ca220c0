import { describeDcsConformance } from '@pgwarden/core/testing';
import { afterAll } from 'vitest';
import { REDIS_CAPABILITIES } from '../src/index.js';
import { sentinelConformanceFactory } from './support/redis-target.js';

const factory = sentinelConformanceFactory();
afterAll(() => factory.close());

describeDcsConformance('Redis 7 with Sentinel (master, replica, three sentinels)', factory, REDIS_CAPABILITIES);
