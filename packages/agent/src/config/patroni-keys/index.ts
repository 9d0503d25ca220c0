export type { PatroniKey, PatroniKeySection, PatroniKeyStatus } from './types.js';
export { PATRONI_KEYS, LOCAL_KEYS, DYNAMIC_KEYS, ENV_KEYS } from './table.js';
export { findPaths, unhonouredKeys, warnedKeyMessage, type KeyFinding } from './check.js';
export { renderPatroniKeysDoc } from './render-doc.js';
