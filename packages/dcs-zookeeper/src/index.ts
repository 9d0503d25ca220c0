export { dcsAdapter } from './module.js';
export { ZooKeeperDcs, ZOOKEEPER_CAPABILITIES } from './adapter.js';
export {
  parseZooKeeperSection,
  DEFAULT_ZOOKEEPER_PORT,
  type ZooKeeperSection,
  type ZooKeeperAclEntry,
  type ZooKeeperAuth,
  type ZooKeeperPermission,
} from './config.js';
export { ZooKeeperRequestError } from './errors.js';
