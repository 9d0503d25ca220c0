import { describeDcsConformance } from '@pgwarden/core/testing';
import { afterAll } from 'vitest';
import { ETCD3_CAPABILITIES } from '../src/index.js';
import { etcdConformanceFactory } from './support/etcd-target.js';

const factory = etcdConformanceFactory(1);
afterAll(() => factory.close());

describeDcsConformance('etcd 3.4, one member', factory, ETCD3_CAPABILITIES);
