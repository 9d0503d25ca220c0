export {};

// REST API
export * from './api/index.js';

// Configuration: patroni.yml + PATRONI_*/PGWARDEN_* environment, validation, secrets
export { loadConfig, type LoadedConfig, type LoadOptions, type ConfigSource } from './config/load.js';
export { loadConfigPath, configFilesOf, parseConfigDocument } from './config/files.js';
export { configFromEnvironment, ENV_PREFIXES, AUTH_PARAMETERS, type EnvironmentConfig } from './config/env.js';
export { parsePatroniYaml } from './config/yaml.js';
export { patchConfig } from './config/patch.js';
export type { RawConfig } from './config/records.js';
export { validateConfig, checkConfig, type ConfigValidation, type ValidateOptions, type ValidationMode } from './config/validate-config.js';
export { loadDcsAdapters, importSpecifier, type LoadedAdapters, type ModuleImporter } from './config/dcs-loader.js';
export { scanDcsSections, BUILTIN_DCS_PACKAGES, REFUSED_DCS_SECTIONS, type DcsSectionRef, type DcsSectionScan } from './config/dcs-sections.js';
export { computeEffectiveConfig, DYNAMIC_ONLY_TOP_LEVEL_KEYS, type EffectiveConfig } from './config/effective.js';
export { maskSecrets, scrubEnvironment, isSecretEnvironmentVariable } from './config/secrets.js';
export type {
  LocalConfig,
  RestApiLocalConfig,
  CtlConfig,
  PostgresqlLocalConfig,
  PostgresUser,
  Credentials,
  HostPort,
  WatchdogConfig,
  TagsConfig,
  LogConfig,
  LogFormat,
  BootstrapConfig,
  DcsSectionConfig,
  CitusConfig,
} from './config/local-config.js';
export { runCli } from './cli/run.js';
export { parseArgs, type CliCommand } from './cli/args.js';
export type { CliIo } from './cli/io.js';

// Tooling: read the cluster a patroni.yml describes, read-only
export { readClusterFromConfig, type ReadClusterOptions } from './library/read-cluster.js';
