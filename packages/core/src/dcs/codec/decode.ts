/**
 * Decoders for each cluster key, in Patroni's formats (spec/dcs.md §2). Each takes the
 * raw entry and returns the typed value plus, for garbage, a warning; none throws.
 */
import type {
  ClusterConfig,
  ClusterStatus,
  Failover,
  History,
  HistoryLine,
  JsonObject,
  MemberData,
  RawEntry,
  SyncState,
} from '../cluster.js';
import { EMPTY_STATUS, emptySync } from '../cluster.js';
import { extraFields, isJsonObject, tryParseJson } from './json.js';

export interface Decoded<T> {
  readonly value: T;
  readonly warning?: string;
}

const MEMBER_FIELD_TYPES: Record<string, 'string' | 'number' | 'boolean' | 'object'> = {
  conn_url: 'string',
  api_url: 'string',
  state: 'string',
  role: 'string',
  version: 'string',
  proxy_url: 'string',
  checkpoint_after_promote: 'boolean',
  tags: 'object',
  pending_restart: 'boolean',
  pending_restart_reason: 'object',
  xlog_location: 'number',
  replication_state: 'string',
  timeline: 'number',
  scheduled_restart: 'object',
  pause: 'boolean',
};
/** The same, listed once rather than on every decode (one per member per HA cycle). */
const MEMBER_FIELDS = Object.entries(MEMBER_FIELD_TYPES);

/**
 * A member value: Patroni's JSON object, or the legacy `postgres://…?application_name=<api_url>`
 * string. Known fields of the wrong type are dropped (with a warning); the rest is kept.
 */
export function decodeMemberData(value: string): Decoded<MemberData> {
  if (value.startsWith('postgres')) return { value: decodeLegacyMember(value) };
  const parsed = tryParseJson(value);
  if (!isJsonObject(parsed)) return { value: {}, warning: 'is not a JSON object' };
  // Freshly parsed, so ours to trim: no copy needed.
  const data: Record<string, unknown> = parsed;
  const dropped: string[] = [];
  for (const [field, type] of MEMBER_FIELDS) {
    if (!(field in data)) continue;
    const v = data[field];
    const ok = type === 'object' ? isJsonObject(v) : type === 'number' ? Number.isFinite(v) : typeof v === type;
    if (!ok) {
      delete data[field];
      dropped.push(field);
    }
  }
  return dropped.length ? { value: data, warning: `has fields of the wrong type: ${dropped.join(', ')}` } : { value: data };
}

function decodeLegacyMember(value: string): MemberData {
  const queryAt = value.indexOf('?');
  if (queryAt < 0) return { conn_url: value };
  const params = new URLSearchParams(value.slice(queryAt + 1));
  const apiUrl = params.get('application_name');
  return apiUrl === null ? { conn_url: value.slice(0, queryAt) } : { conn_url: value.slice(0, queryAt), api_url: apiUrl };
}

export function decodeConfig(entry: RawEntry): Decoded<ClusterConfig> {
  const parsed = tryParseJson(entry.value);
  const modifyVersion = entry.modifyVersion ?? entry.version;
  if (!isJsonObject(parsed)) {
    return { value: { version: entry.version, modifyVersion: '0', data: {} }, warning: 'is not a JSON object' };
  }
  return { value: { version: entry.version, modifyVersion, data: parsed } };
}

const STATUS_FIELDS = ['optime', 'slots', 'retain_slots'] as const;

/** `{"optime":N,"slots":{…}}`; a bare integer is accepted, and `slots` given as a JSON string. */
export function decodeStatus(value: string): Decoded<ClusterStatus> {
  const parsed = tryParseJson(value);
  if (typeof parsed === 'number' && Number.isSafeInteger(parsed)) return { value: { ...EMPTY_STATUS, lastLsn: parsed } };
  if (!isJsonObject(parsed)) return { value: EMPTY_STATUS, warning: 'is neither a JSON object nor an LSN' };
  const optime = parsed.optime;
  const lastLsn = Number.isSafeInteger(optime) ? (optime as number) : 0;
  let slotsRaw = parsed.slots;
  if (typeof slotsRaw === 'string') slotsRaw = tryParseJson(slotsRaw);
  let slots: Record<string, number> | null = null;
  if (isJsonObject(slotsRaw)) {
    slots = {};
    for (const [name, lsn] of Object.entries(slotsRaw)) if (Number.isSafeInteger(lsn)) slots[name] = lsn as number;
  }
  const warning = optime !== undefined && !Number.isSafeInteger(optime) ? 'has an optime that is not an integer' : undefined;
  return { value: { lastLsn, slots, retainSlots: decodeRetainSlots(parsed.retain_slots), extra: extraFields(parsed, STATUS_FIELDS) }, warning };
}

/** `retain_slots`: a list of slot names, or the same list as a JSON string; anything else is none. */
function decodeRetainSlots(raw: unknown): readonly string[] {
  const list = typeof raw === 'string' ? tryParseJson(raw) : raw;
  return Array.isArray(list) ? list.filter((n): n is string => typeof n === 'string') : [];
}

/** The legacy `optime/leader` key: a decimal LSN. */
export function decodeLegacyOptime(value: string): Decoded<ClusterStatus> {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed)) return { value: EMPTY_STATUS, warning: 'is not a decimal LSN' };
  return { value: { ...EMPTY_STATUS, lastLsn: Number(trimmed) } };
}

const FAILOVER_FIELDS = ['leader', 'member', 'scheduled_at'] as const;

/**
 * `{"leader":…,"member":…,"scheduled_at":…}`, or the legacy text `leader:candidate`.
 * An unreadable `scheduled_at` empties the whole request: acting on it at once could
 * switch over hours before the operator asked.
 */
export function decodeFailover(entry: RawEntry): Decoded<Failover> {
  const empty: Failover = { version: entry.version, leader: null, candidate: null, scheduledAt: null, scheduledAtMs: null, extra: {} };
  if (!entry.value.trim()) return { value: empty };
  const parsed = tryParseJson(entry.value);
  if (parsed === undefined) {
    const [leader, candidate] = entry.value.split(':').map((s) => s.trim());
    return { value: { ...empty, leader: leader || null, candidate: candidate || null } };
  }
  if (!isJsonObject(parsed)) return { value: empty, warning: 'is not a JSON object' };
  const leader = typeof parsed.leader === 'string' && parsed.leader ? parsed.leader : null;
  const candidate = typeof parsed.member === 'string' && parsed.member ? parsed.member : null;
  let scheduledAt: string | null = null;
  let scheduledAtMs: number | null = null;
  if (parsed.scheduled_at !== undefined && parsed.scheduled_at !== null && parsed.scheduled_at !== '') {
    scheduledAtMs = typeof parsed.scheduled_at === 'string' ? parseTimestamp(parsed.scheduled_at) : null;
    if (scheduledAtMs === null) return { value: empty, warning: 'has a scheduled_at that is not an ISO-8601 time' };
    scheduledAt = parsed.scheduled_at as string;
  }
  return { value: { version: entry.version, leader, candidate, scheduledAt, scheduledAtMs, extra: extraFields(parsed, FAILOVER_FIELDS) } };
}

/**
 * ISO-8601 with any number of fractional digits and a `Z` or `±hh:mm` offset. A time
 * without an offset is refused: Patroni demands one, and guessing would be unsafe.
 */
export function parseTimestamp(text: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/i.exec(text.trim());
  if (!m) return null;
  const [, date, time, fraction = '', zone = ''] = m;
  const millis = (fraction + '000').slice(0, 3);
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${date}T${time!.length === 5 ? `${time}:00` : time}.${millis}${offset}`);
  return Number.isNaN(ms) ? null : ms;
}

const SYNC_FIELDS = ['leader', 'sync_standby'] as const;

/** `{"leader":"n1","sync_standby":"n2,n3"}`; names are comma-separated, `null` when none. */
export function decodeSync(entry: RawEntry): Decoded<SyncState> {
  const parsed = tryParseJson(entry.value);
  if (!isJsonObject(parsed)) return { value: emptySync(entry.version), warning: 'is not a JSON object' };
  const leader = typeof parsed.leader === 'string' && parsed.leader ? parsed.leader : null;
  const raw = parsed.sync_standby;
  const names = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : [];
  return {
    value: { version: entry.version, leader, syncStandbys: leader ? names : [], extra: extraFields(parsed, SYNC_FIELDS) },
  };
}

/** A JSON array of `[timeline, lsn, reason, promoted_at?, new_leader?]`; bad rows are dropped. */
export function decodeHistory(entry: RawEntry): Decoded<History> {
  const parsed = tryParseJson(entry.value);
  if (!Array.isArray(parsed)) return { value: { version: entry.version, raw: entry.value, lines: [] }, warning: 'is not a JSON array' };
  const lines = parsed.filter(isHistoryLine);
  const warning = lines.length < parsed.length ? `has ${parsed.length - lines.length} malformed row(s), ignored` : undefined;
  return { value: { version: entry.version, raw: entry.value, lines }, warning };
}

function isHistoryLine(row: unknown): row is HistoryLine {
  if (!Array.isArray(row) || row.length < 3 || row.length > 5) return false;
  const [tli, lsn, reason, at, leader] = row as unknown[];
  return (
    Number.isSafeInteger(tli) &&
    Number.isSafeInteger(lsn) &&
    typeof reason === 'string' &&
    (at === undefined || typeof at === 'string') &&
    (leader === undefined || typeof leader === 'string')
  );
}

/** `{"name":"api_url",…}`; anything else is null (Patroni treats it as absent). */
export function decodeFailsafe(value: string): Decoded<Readonly<Record<string, string>> | null> {
  const parsed = tryParseJson(value);
  if (!isJsonObject(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
    return { value: null, warning: 'is not a JSON object of member names to API URLs' };
  }
  return { value: parsed as Record<string, string> };
}

export type { JsonObject };
