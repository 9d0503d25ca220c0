/**
 * The etcd v3 calls the adapter makes, on one endpoint's gateway: kv range/put/txn/
 * deleteRange, lease grant/keepalive/revoke and watch, with Buffers for keys and values.
 */
import { Gateway, type GatewayOptions, type OpenStream, type RequestOptions } from './gateway.js';
import {
  jsonText,
  rangeResponse,
  txnResponse,
  watchResponse,
  header,
  type DeleteRangeRequest,
  type LeaseGrantResponse,
  type LeaseKeepAliveResponse,
  type PutRequest,
  type RangeRequest,
  type RangeResponse,
  type TxnRequest,
  type TxnResponse,
  type WatchResponse,
  type WriteResponse,
} from './wire.js';

export interface WatchCreateRequest {
  readonly key: Buffer;
  readonly range_end: Buffer;
  readonly start_revision: string;
}

export interface WatchHandlers {
  readonly onResponse: (response: WatchResponse) => void;
  readonly onError: (error: Error) => void;
  readonly onEnd: () => void;
}

export class EtcdClient {
  private readonly gateway: Gateway;

  constructor(options: GatewayOptions) {
    this.gateway = new Gateway(options);
  }

  get url(): string {
    return this.gateway.url;
  }

  readonly kv = {
    range: async (request: RangeRequest, options: RequestOptions): Promise<RangeResponse> =>
      rangeResponse(await this.gateway.call('/v3/kv/range', request, options)),
    put: async (request: PutRequest, options: RequestOptions): Promise<WriteResponse> => ({
      header: header((await this.gateway.call('/v3/kv/put', request, options)).header),
    }),
    txn: async (request: TxnRequest, options: RequestOptions): Promise<TxnResponse> =>
      txnResponse(await this.gateway.call('/v3/kv/txn', request, options)),
    deleteRange: async (request: DeleteRangeRequest, options: RequestOptions): Promise<WriteResponse> => ({
      header: header((await this.gateway.call('/v3/kv/deleterange', request, options)).header),
    }),
  };

  async leaseGrant(request: { readonly TTL: number }, options: RequestOptions): Promise<LeaseGrantResponse> {
    const answer = await this.gateway.call('/v3/lease/grant', request, options);
    if (answer.error) throw new Error(`etcd lease grant: ${jsonText(answer.error)}`);
    return { header: header(answer.header), ID: jsonText(answer.ID, '0'), TTL: jsonText(answer.TTL, '0') };
  }

  /** One keepalive: a request body holding one message gets one answer, then the stream ends. */
  async leaseKeepAlive(request: { readonly ID: string }, options: RequestOptions): Promise<LeaseKeepAliveResponse> {
    const answer = await this.gateway.callStream('/v3/lease/keepalive', request, options);
    return { header: header(answer.header), TTL: jsonText(answer.TTL, '0') };
  }

  async leaseRevoke(request: { readonly ID: string }, options: RequestOptions): Promise<WriteResponse> {
    return { header: header((await this.gateway.call('/v3/lease/revoke', request, options)).header) };
  }

  /** Seconds left on a lease (-1: unknown to etcd). For tests and tools. */
  async leaseTimeToLive(request: { readonly ID: string }, options: RequestOptions): Promise<{ readonly TTL: string; readonly grantedTTL: string }> {
    const answer = await this.gateway.call('/v3/lease/timetolive', request, options);
    return { TTL: jsonText(answer.TTL, '0'), grantedTTL: jsonText(answer.grantedTTL, '0') };
  }

  /**
   * Opens a watch. etcd's gateway reads the request body to its end before answering,
   * so the stream carries only this create request: nothing can be sent on it later.
   */
  watch(request: WatchCreateRequest, options: RequestOptions, handlers: WatchHandlers): Promise<OpenStream> {
    return this.gateway.stream('/v3/watch', { create_request: request }, options, {
      onMessage: (result) => handlers.onResponse(watchResponse(result)),
      onError: handlers.onError,
      onEnd: handlers.onEnd,
    });
  }

  close(): void {
    this.gateway.close();
  }
}
