/**
 * Calls a member's REST API as patronictl does: the path replaces the `/patroni` of
 * the member's `api_url`; basic auth from `ctl.authentication`, else
 * `restapi.authentication`; CA from `ctl.cacert`, else `restapi.cafile`; a client
 * certificate from `ctl.certfile`/`keyfile`/`keyfile_password`; certificates are
 * verified unless `ctl.insecure`.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isRecord } from '../config/records.js';
import { CtlError } from './errors.js';

export interface RestResponse {
  readonly status: number;
  readonly body: string;
}

export interface RestCallOptions {
  readonly signal?: AbortSignal;
  /** Default 60 s: Patroni's REST calls may wait for a switchover. */
  readonly timeoutMs?: number;
}

export interface RestClient {
  /** `base` is an api_url (`http://h:p/patroni`) or any URL of the member; `path` e.g. `switchover`. */
  request(base: string, method: string, path: string, body?: unknown, options?: RestCallOptions): Promise<RestResponse>;
}

/** Patroni's REST calls may wait for a switchover (2 × max(10, loop_wait) s). */
const REQUEST_TIMEOUT_MS = 60_000;

function section(config: Readonly<Record<string, unknown>>, name: string): Record<string, unknown> {
  const value = config[name];
  return isRecord(value) ? value : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function truthy(v: unknown): boolean {
  return v === true || (typeof v === 'string' && /^(true|on|yes|1)$/i.test(v));
}

function readPem(path: string | undefined, what: string): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CtlError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

export function restClientFrom(config: Readonly<Record<string, unknown>>): RestClient {
  const ctl = section(config, 'ctl');
  const restapi = section(config, 'restapi');
  const auth = isRecord(ctl.authentication) ? ctl.authentication : isRecord(restapi.authentication) ? restapi.authentication : undefined;
  const username = str(auth?.username);
  const password = typeof auth?.password === 'string' || typeof auth?.password === 'number' ? String(auth.password) : '';
  const authorization = username ? `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` : undefined;
  const insecure = truthy(ctl.insecure);
  let tls: Pick<RequestOptions & { ca?: Buffer; cert?: Buffer; key?: Buffer; passphrase?: string; rejectUnauthorized?: boolean }, 'ca' | 'cert' | 'key' | 'passphrase' | 'rejectUnauthorized'> | undefined;
  const tlsOptions = () => {
    tls ??= {
      ca: readPem(str(ctl.cacert) ?? str(restapi.cafile), 'CA file'),
      cert: readPem(str(ctl.certfile), 'certificate'),
      key: readPem(str(ctl.keyfile), 'key file'),
      ...(str(ctl.keyfile_password) !== undefined && { passphrase: str(ctl.keyfile_password)! }),
      rejectUnauthorized: !insecure,
    };
    return tls;
  };

  return {
    request(base, method, path, body, options = {}) {
      const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
      const url = new URL(base);
      url.pathname = `/${path}`;
      url.search = '';
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = { 'User-Agent': 'pgwardenctl' };
      if (authorization) headers.Authorization = authorization;
      if (payload !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = String(Buffer.byteLength(payload));
      }
      const https = url.protocol === 'https:';
      const send = https ? httpsRequest : httpRequest;
      return new Promise<RestResponse>((resolve, reject) => {
        // agent: false — a fresh connection per call: Patroni's API closes every connection
        // (HTTP/1.0), so a kept-alive socket would fail the next request with a reset.
        const req = send(url, { method: method.toUpperCase(), headers, agent: false, timeout: timeoutMs, ...(options.signal && { signal: options.signal }), ...(https ? tlsOptions() : {}) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs / 1000} s`)));
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}
