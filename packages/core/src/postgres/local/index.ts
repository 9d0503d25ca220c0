export { LocalPostgresController, type LocalControllerOptions } from './local-controller.js';
export type { LocalPostgresConfig, RoleCredentials, ToolOptions, ReplicaMethodConfig, BootstrapConfig } from './options.js';
export type { RunAs } from './run-as.js';
export type { LibpqClientSettings } from './client-settings.js';
export type { ParameterRejection } from './parameter-validator.js';
export { parseLsn, formatLsn } from './lsn.js';
export { parseConninfo } from './conninfo.js';
export { programStats } from './run-program.js';
