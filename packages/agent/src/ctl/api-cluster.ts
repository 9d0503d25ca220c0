/**
 * `--api URL`: builds the Cluster snapshot from one member's REST API instead of the
 * DCS (`GET /cluster`, `/config`, `/history`, and `/patroni` for the system id), so the
 * same rendering code serves both. Positions come back as LSN text (`lsn`,
 * `receive_lsn`, `replay_lsn`, Patroni 4.1) and are read back as numbers; from an
 * agent that sends only `lag`, lags are stored as positions relative to the largest
 * lag, which renders the same numbers.
 */
import { EMPTY_STATUS, emptySync, type Cluster, type HistoryLine, type Member, type MemberData } from '@pgwarden/core';
import { isRecord } from '../config/records.js';
import { CtlError } from './errors.js';
import type { RestClient, RestResponse } from './rest.js';

async function getJson(rest: RestClient, base: string, path: string, required: boolean): Promise<unknown> {
  let res: RestResponse;
  try {
    res = await rest.request(base, 'GET', path);
  } catch (error) {
    throw new CtlError(`REST API at ${base} is not accessible: ${(error as Error).message}`, { cause: error });
  }
  if (res.status !== 200) {
    if (!required) return undefined;
    throw new CtlError(`GET /${path} on ${base} answered ${res.status}: ${res.body.trim()}`);
  }
  try {
    return JSON.parse(res.body);
  } catch {
    throw new CtlError(`GET /${path} on ${base} did not answer JSON`);
  }
}

export async function clusterFromApi(rest: RestClient, base: string, scope: string): Promise<Cluster> {
  const body = await getJson(rest, base, 'cluster', true);
  if (!isRecord(body) || !Array.isArray(body.members)) throw new CtlError(`GET /cluster on ${base} did not answer a cluster`);
  if (typeof body.scope === 'string' && body.scope !== scope) {
    throw new CtlError(`The REST API at ${base} serves cluster ${body.scope}, not ${scope}`);
  }
  const [configBody, historyBody, patroni] = await Promise.all([
    getJson(rest, base, 'config', false),
    getJson(rest, base, 'history', false),
    getJson(rest, base, 'patroni', false),
  ]);
  const raw = body.members.filter(isRecord);
  const lags = raw.map((m) => (typeof m.lag === 'number' ? m.lag : 0));
  // The leader's last LSN: a member's position plus its lag, when the agent sends both.
  const anchors = raw.map((m) => (typeof m.lag === 'number' ? (parseLsnText(m.lsn) ?? -1) + m.lag : -1)).filter((v) => v >= 0);
  const top = anchors.length ? Math.max(...anchors) : Math.max(0, ...lags);
  const members: Member[] = [];
  let leader: Member | null = null;
  const syncStandbys: string[] = [];
  let quorumSeen = false;
  for (const m of raw) {
    const name = String(m.name);
    const role = String(m.role ?? '');
    const data: Record<string, unknown> = {};
    if (typeof m.host === 'string') data.conn_url = `postgres://${m.host}${m.port !== undefined ? `:${String(m.port)}` : ''}/postgres`;
    if (typeof m.api_url === 'string') data.api_url = m.api_url;
    if (typeof m.state === 'string') data.state = m.state;
    data.role = role === 'leader' ? 'primary' : role === 'sync_standby' || role === 'quorum_standby' ? 'replica' : role;
    for (const k of ['timeline', 'pending_restart', 'pending_restart_reason', 'scheduled_restart', 'tags'] as const) {
      if (m[k] !== undefined) data[k] = m[k];
    }
    if (typeof m.lag === 'number') data.xlog_location = top - m.lag;
    if (role !== 'leader' && role !== 'standby_leader' && m.lag === undefined) data.xlog_location = top;
    for (const [field, key] of [['lsn', 'xlog_location'], ['receive_lsn', 'receive_lsn'], ['replay_lsn', 'replay_lsn']] as const) {
      const position = parseLsnText(m[field]);
      if (position !== null) data[key] = position;
    }
    const member: Member = { name, version: '0', session: null, data: data as MemberData };
    members.push(member);
    if (role === 'leader' || role === 'standby_leader') leader = member;
    if (role === 'sync_standby' || role === 'quorum_standby') syncStandbys.push(name);
    if (role === 'quorum_standby') quorumSeen = true;
  }
  const configData: Record<string, unknown> = isRecord(configBody) ? { ...configBody } : {};
  if (body.pause === true) configData.pause = true;
  if (syncStandbys.length && configData.synchronous_mode === undefined) configData.synchronous_mode = quorumSeen ? 'quorum' : true;
  const switchover = isRecord(body.scheduled_switchover) ? body.scheduled_switchover : null;
  const history: HistoryLine[] = Array.isArray(historyBody) ? (historyBody.filter(Array.isArray) as unknown as HistoryLine[]) : [];
  const sysid = isRecord(patroni) && typeof patroni.database_system_identifier === 'string' ? patroni.database_system_identifier : null;
  return {
    initialize: sysid,
    config: isRecord(configBody) || body.pause === true ? { version: '0', modifyVersion: '1', data: configData } : null,
    leader: leader ? { name: leader.name, version: '0', session: null, member: leader } : null,
    status: { ...EMPTY_STATUS, lastLsn: top },
    members: members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    failover: switchover
      ? {
          version: '0',
          leader: typeof switchover.from === 'string' ? switchover.from : null,
          candidate: typeof switchover.to === 'string' ? switchover.to : null,
          scheduledAt: typeof switchover.at === 'string' ? switchover.at : null,
          scheduledAtMs: typeof switchover.at === 'string' ? Date.parse(switchover.at) : null,
          extra: {},
        }
      : null,
    sync: syncStandbys.length && leader ? { version: '0', leader: leader.name, syncStandbys, extra: {} } : emptySync(),
    history: Array.isArray(historyBody) ? { version: '0', raw: JSON.stringify(historyBody), lines: history } : null,
    failsafe: null,
  };
}

/** `16/B374D848` → its byte position; null for anything else (`unknown`, absent). */
export function parseLsnText(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(value);
  return match ? parseInt(match[1]!, 16) * 2 ** 32 + parseInt(match[2]!, 16) : null;
}
