/**
 * etcd v3 messages as the adapter uses them, and their JSON form on etcd's HTTP gateway:
 * keys and values are base64, int64 fields are decimal strings, and fields equal to
 * their zero value (false, 0, empty) are left out of answers.
 */

export interface ResponseHeader {
  /** The serving member's store revision when it answered. */
  readonly revision: string;
}

export interface KeyValue {
  readonly key: Buffer;
  readonly value: Buffer;
  /** Lease ID (decimal), `'0'` for none. */
  readonly lease: string;
  readonly mod_revision: string;
  readonly create_revision: string;
}

export interface RangeRequest {
  readonly key: Buffer;
  readonly range_end?: Buffer;
  readonly limit?: number;
  readonly keys_only?: boolean;
  readonly serializable?: boolean;
}

export interface PutRequest {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly lease?: string;
}

export interface DeleteRangeRequest {
  readonly key: Buffer;
  readonly range_end?: Buffer;
}

export interface RangeResponse {
  readonly header: ResponseHeader;
  readonly kvs: KeyValue[];
}

export interface WriteResponse {
  readonly header: ResponseHeader;
}

export type Compare = { readonly key: Buffer; readonly result: 'EQUAL' } & (
  | { readonly target: 'CREATE'; readonly create_revision: string | number }
  | { readonly target: 'MOD'; readonly mod_revision: string }
  | { readonly target: 'VALUE'; readonly value: Buffer }
  | { readonly target: 'LEASE'; readonly lease: string }
);

export type RequestOp =
  | { readonly request_range: RangeRequest }
  | { readonly request_put: PutRequest }
  | { readonly request_delete_range: DeleteRangeRequest };

export interface ResponseOp {
  readonly response_range?: { readonly kvs: KeyValue[] };
}

export interface TxnRequest {
  readonly compare: readonly Compare[];
  readonly success: readonly RequestOp[];
  readonly failure: readonly RequestOp[];
}

export interface TxnResponse {
  readonly header: ResponseHeader;
  readonly succeeded: boolean;
  readonly responses: ResponseOp[];
}

export interface LeaseGrantResponse {
  readonly header: ResponseHeader;
  readonly ID: string;
  /** Granted TTL in seconds (decimal). */
  readonly TTL: string;
}

export interface LeaseKeepAliveResponse {
  readonly header: ResponseHeader;
  /** Remaining TTL in seconds; `'0'` when etcd no longer knows the lease. */
  readonly TTL: string;
}

export interface WatchEvent {
  readonly type: 'PUT' | 'DELETE';
  readonly kv: KeyValue;
}

export interface WatchResponse {
  readonly header: ResponseHeader;
  readonly created: boolean;
  readonly canceled: boolean;
  readonly cancel_reason: string;
  readonly compact_revision: string;
  readonly events: WatchEvent[];
}

/** A request as JSON: Buffers become base64, everything else is kept. */
export function toJson(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [field, inner] of Object.entries(value)) if (inner !== undefined) out[field] = toJson(inner);
    return out;
  }
  return value;
}

type Json = Record<string, unknown>;

const text = (value: unknown, zero = ''): string => (value === undefined || value === null ? zero : String(value));
const bytes = (value: unknown): Buffer => (typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0));
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

export function header(raw: unknown): ResponseHeader {
  return { revision: text((raw as Json | undefined)?.revision, '0') };
}

export function keyValue(raw: Json): KeyValue {
  return {
    key: bytes(raw.key),
    value: bytes(raw.value),
    lease: text(raw.lease, '0'),
    mod_revision: text(raw.mod_revision, '0'),
    create_revision: text(raw.create_revision, '0'),
  };
}

export function rangeResponse(raw: Json): RangeResponse {
  return { header: header(raw.header), kvs: list(raw.kvs).map(keyValue) };
}

export function txnResponse(raw: Json): TxnResponse {
  const responses = list(raw.responses).map((op): ResponseOp => {
    const range = op.response_range as Json | undefined;
    return range ? { response_range: { kvs: list(range.kvs).map(keyValue) } } : {};
  });
  return { header: header(raw.header), succeeded: raw.succeeded === true, responses };
}

export function watchResponse(raw: Json): WatchResponse {
  return {
    header: header(raw.header),
    created: raw.created === true,
    canceled: raw.canceled === true,
    cancel_reason: text(raw.cancel_reason),
    compact_revision: text(raw.compact_revision, '0'),
    events: list(raw.events).map((event) => ({ type: event.type === 'DELETE' ? 'DELETE' : 'PUT', kv: keyValue((event.kv ?? {}) as Json) })),
  };
}

export { text as jsonText };
