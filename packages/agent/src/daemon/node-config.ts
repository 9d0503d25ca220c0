/** This node's identity for the HA engine (core's NodeConfig), from the validated patroni.yml. */
import { PATRONI_PROTOCOL_VERSION, readTags, type JsonObject, type NodeConfig } from '@pgwarden/core';
import { agentVersion } from '../cli/version.js';
import type { LocalConfig } from '../config/local-config.js';
import { isRecord } from '../config/records.js';

/** The Patroni release whose wire formats pgwarden speaks (member key `version`, `/patroni`): core's PATRONI_PROTOCOL_VERSION. */
export const PATRONI_VERSION = PATRONI_PROTOCOL_VERSION;

export function apiUrlOf(config: LocalConfig): string {
  const scheme = config.restapi.certfile ? 'https' : 'http';
  return `${scheme}://${config.restapi.connectAddress.host}:${config.restapi.connectAddress.port}/patroni`;
}

export function toNodeConfig(config: LocalConfig): NodeConfig {
  const pg = config.postgresql;
  const proxy = pg.proxyAddress ? `postgres://${pg.proxyAddress.host}:${pg.proxyAddress.port}/${pg.database}` : null;
  const noLeaderMethod = pg.createReplicaMethods.some((m) => {
    const section = pg.raw[m];
    return isRecord(section) && (section.no_leader === true || section.no_master === true);
  });
  return {
    name: config.name,
    apiUrl: apiUrlOf(config),
    connUrl: `postgres://${pg.connectAddress.host}:${pg.connectAddress.port}/${pg.database}`,
    proxyUrl: proxy,
    tags: readTags(config.tags.raw),
    version: PATRONI_VERSION,
    pgwardenVersion: agentVersion(),
    canBootstrap: isRecord(config.raw.bootstrap),
    canCloneWithoutLeader: noLeaderMethod,
    bootstrapDcsConfig: config.bootstrap.dcs.document as JsonObject,
    removeDataDirectoryOnDivergedTimelines: pg.raw.remove_data_directory_on_diverged_timelines === true,
  };
}
