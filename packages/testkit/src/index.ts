export {};
export * from './postgres.js';
export * from './ports.js';
export * from './process.js';
export * from './etcd.js';
export { startZooKeeper, fourLetterWord, type StartZooKeeperOptions, type ZooKeeperServer } from './zookeeper.js';
export { startConsulDouble, type ConsulDouble, type StartConsulDoubleOptions } from './consul.js';
export * from './config-arbitraries.js';
export * from './redis-kit.js';
