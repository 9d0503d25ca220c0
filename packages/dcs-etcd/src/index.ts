export { dcsAdapter } from './module.js';
export { Etcd3Dcs, ETCD3_CAPABILITIES } from './adapter.js';
export { parseEtcd3Section, endpointUrls, type Etcd3Section } from './config.js';
