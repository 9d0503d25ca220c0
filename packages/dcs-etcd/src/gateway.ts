/**
 * One etcd endpoint's HTTP/JSON gateway (`POST /v3/...`, served on every client URL of
 * etcd ≥ 3.4), over node:http/node:https with a keep-alive agent of a few sockets. Every
 * request is bounded by a timeout and an AbortSignal, both of which destroy it. On a plain
 * `http:` endpoint the lease keepalive, which a leader sends every loop, goes over one
 * persistent socket of its own (PlainHttpConnection) when that socket is free. With
 * credentials, a token from `/v3/auth/authenticate` goes in the `Authorization` header,
 * and is fetched again once when etcd says it is invalid or expired.
 */
import http from 'node:http';
import https from 'node:https';
import { JsonObjectSplitter } from './json-objects.js';
import { PlainHttpConnection } from './plain-http-connection.js';
import { boundRequest, RequestTimeoutError, type RequestOptions } from './request-bounds.js';
import { toJson } from './wire.js';

export { RequestTimeoutError, type RequestOptions };

type Json = Record<string, unknown>;

export interface GatewayTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export interface GatewayOptions {
  /** `http(s)://host:port` */
  readonly url: string;
  readonly tls?: GatewayTls;
  readonly credentials?: { readonly username: string; readonly password: string };
}

/** etcd answered with an error: its gRPC status code (null when the body was not etcd's JSON) and HTTP status. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly grpcCode: number | null,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** A streaming answer: `cancel()` destroys it; the handlers see each message, then an error or the end. */
export interface OpenStream {
  cancel(): void;
}

export interface StreamHandlers {
  readonly onMessage: (result: Json) => void;
  readonly onError: (error: Error) => void;
  readonly onEnd: () => void;
}

/** etcd wants a new token: it forgot or expired ours, or users/roles changed since it was issued. */
const INVALID_TOKEN = /invalid auth token|auth token is expired|token is expired|revision of auth store is old/i;
const MAX_SOCKETS = 4;

export class Gateway {
  readonly url: string;
  private readonly agent: http.Agent;
  private readonly secure: boolean;
  /** The keepalive's own socket (plain http: only; https stays on the agent). */
  private readonly plain: PlainHttpConnection | null;
  private readonly base: URL;
  private token: string | null = null;
  private readonly credentials: GatewayOptions['credentials'];
  private closed = false;

  constructor(options: GatewayOptions) {
    this.url = options.url;
    this.base = new URL(options.url);
    this.secure = this.base.protocol === 'https:';
    this.credentials = options.credentials;
    // TCP keepalive on idle sockets notices a peer that vanished (the watch's socket idles).
    const agentOptions = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: MAX_SOCKETS, maxFreeSockets: 2 };
    this.agent = this.secure
      ? new https.Agent({ ...agentOptions, ...(options.tls?.ca && { ca: options.tls.ca }), ...(options.tls?.cert && { cert: options.tls.cert }), ...(options.tls?.key && { key: options.tls.key }) })
      : new http.Agent(agentOptions);
    this.plain = this.secure ? null : new PlainHttpConnection(options.url);
  }

  /** A unary call: the answer's JSON. */
  call(path: string, body: unknown, options: RequestOptions): Promise<Json> {
    return this.withToken(options, (token) => this.unary(path, body, options, token));
  }

  /**
   * A streaming call with a one-message request body (lease keepalive): etcd answers
   * `{"result":...}` for it and ends the stream; the first result is returned.
   */
  callStream(path: string, body: unknown, options: RequestOptions): Promise<Json> {
    return this.withToken(options, (token) =>
      // A call that finds the plain socket busy goes through the agent rather than wait.
      this.plain !== null && !this.plain.busy ? this.overPlainSocket(this.plain, path, body, options, token) : this.unary(path, body, options, token, true),
    );
  }

  /**
   * Opens a streaming call whose request body is `body` alone (etcd's watch). Resolves once
   * etcd accepted it (HTTP 200, within `options`); messages then go to `handlers`.
   */
  async stream(path: string, body: unknown, options: RequestOptions, handlers: StreamHandlers): Promise<OpenStream> {
    const token = this.credentials ? await this.currentToken(options) : null;
    return new Promise<OpenStream>((resolve, reject) => {
      const splitter = new JsonObjectSplitter();
      let settled = false;
      const request = this.send(path, body, options, token, (response) => {
        if (response.statusCode !== 200) {
          collect(response, (text) => {
            stop();
            reject(errorFrom(response.statusCode ?? 0, text));
          });
          return;
        }
        settled = true;
        stop();
        resolve({ cancel: () => request.destroy() });
        response.on('data', (chunk: Buffer) => {
          let objects: unknown[];
          try {
            objects = splitter.push(chunk);
          } catch (error) {
            request.destroy();
            handlers.onError(error as Error);
            return;
          }
          for (const object of objects) {
            const message = object as Json;
            if (message.error !== undefined) {
              request.destroy();
              handlers.onError(streamError(message.error as Json));
              return;
            }
            const result = (message.result ?? {}) as Json;
            if (result.canceled === true && INVALID_TOKEN.test(String(result.cancel_reason ?? ''))) this.dropToken(token);
            handlers.onMessage(result);
          }
        });
        response.on('error', (error) => handlers.onError(error));
        response.on('end', () => handlers.onEnd());
        response.on('aborted', () => handlers.onError(new Error('the watch stream was cut')));
      });
      const stop = this.bound(request, options, (error) => {
        if (!settled) reject(error);
      });
      request.on('error', (error) => {
        if (settled) handlers.onError(error);
        else {
          stop();
          reject(error);
        }
      });
    });
  }

  close(): void {
    this.closed = true;
    this.agent.destroy();
    this.plain?.close();
  }

  private async withToken(options: RequestOptions, run: (token: string | null) => Promise<Json>): Promise<Json> {
    if (!this.credentials) return run(null);
    const token = await this.currentToken(options);
    try {
      return await run(token);
    } catch (error) {
      if (!(error instanceof GatewayError) || !INVALID_TOKEN.test(error.message)) throw error;
      // The token expired (or etcd restarted and forgot it): one new one, one more try.
      this.dropToken(token);
      return run(await this.currentToken(options));
    }
  }

  private async currentToken(options: RequestOptions): Promise<string> {
    if (this.token !== null) return this.token;
    const { username, password } = this.credentials!;
    const answer = await this.unary('/v3/auth/authenticate', { name: username, password }, options, null);
    const token = typeof answer.token === 'string' ? answer.token : '';
    if (!token) throw new GatewayError('etcdserver: authentication returned no token', null, 200);
    this.token = token;
    return token;
  }

  private dropToken(token: string | null): void {
    if (token !== null && this.token === token) this.token = null;
  }

  private unary(path: string, body: unknown, options: RequestOptions, token: string | null, streamed = false): Promise<Json> {
    return new Promise<Json>((resolve, reject) => {
      const request = this.send(path, body, options, token, (response) => {
        collect(response, (text) => {
          stop();
          try {
            resolve(answerOf(path, response.statusCode ?? 0, text, streamed));
          } catch (error) {
            reject(error);
          }
        }, (error) => {
          stop();
          reject(error);
        });
      });
      const stop = this.bound(request, options, reject);
      request.on('error', (error) => {
        stop();
        reject(error);
      });
    });
  }

  /** A streamed call (one request message, first result) over the plain socket. */
  private async overPlainSocket(plain: PlainHttpConnection, path: string, body: unknown, options: RequestOptions, token: string | null): Promise<Json> {
    if (this.closed) throw new Error('the gateway client is closed');
    const answer = await plain.post(path, JSON.stringify(toJson(body)), token, options);
    return answerOf(path, answer.status, answer.text, true);
  }

  private send(path: string, body: unknown, options: RequestOptions, token: string | null, onResponse: (response: http.IncomingMessage) => void): http.ClientRequest {
    if (this.closed) throw new Error('the gateway client is closed');
    const payload = Buffer.from(JSON.stringify(toJson(body)));
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': payload.length };
    if (token !== null) headers.authorization = token;
    const request = (this.secure ? https : http).request(
      { protocol: this.base.protocol, hostname: this.base.hostname.replace(/^\[(.*)\]$/, '$1'), port: this.base.port, path, method: 'POST', headers, agent: this.agent },
      onResponse,
    );
    request.end(payload);
    return request;
  }

  /**
   * Destroys `request` when the timeout passes or the signal aborts, reporting it to
   * `onGiveUp`; returns the function that disarms both (call it once answered).
   */
  private bound(request: http.ClientRequest, options: RequestOptions, onGiveUp: (error: Error) => void): () => void {
    return boundRequest(options, (error) => {
      request.destroy(error);
      onGiveUp(error);
    });
  }
}

function collect(response: http.IncomingMessage, done: (text: string) => void, failed: (error: Error) => void = () => {}): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
  response.on('error', failed);
  response.on('aborted', () => failed(new Error('the answer was cut off')));
}

/**
 * A whole answer as JSON: a streamed call's first result, a unary call's body; an error
 * status, a stream's error or a body that is not JSON throws GatewayError.
 */
function answerOf(path: string, status: number, text: string, streamed: boolean): Json {
  if (status !== 200) throw errorFrom(status, text);
  try {
    return streamed ? firstResult(text) : (JSON.parse(text) as Json);
  } catch (error) {
    throw error instanceof GatewayError ? error : new GatewayError(`etcd answered ${path} with a body that is not JSON: ${snippet(text)}`, null, status);
  }
}

/** The first `{"result":…}` of a streamed answer, or the error it carries. */
function firstResult(text: string): Json {
  const objects = new JsonObjectSplitter().push(Buffer.from(text));
  const first = objects[0] as Json | undefined;
  if (!first) throw new GatewayError('etcd ended the stream without an answer', null, 200);
  if (first.error !== undefined) throw streamError(first.error as Json);
  return (first.result ?? {}) as Json;
}

/** An error object inside a stream: `{"grpc_code":…,"message":…}`. */
function streamError(error: Json): GatewayError {
  const code = typeof error.grpc_code === 'number' ? error.grpc_code : typeof error.code === 'number' ? error.code : null;
  return new GatewayError(String(error.message ?? error.error ?? JSON.stringify(error)), code, Number(error.http_code ?? 0));
}

/** An HTTP error answer: etcd's `{"error","message","code"}`, or whatever else answered. */
function errorFrom(status: number, text: string): GatewayError {
  try {
    const body = JSON.parse(text) as Json;
    const message = String(body.message ?? body.error ?? text);
    return new GatewayError(message, typeof body.code === 'number' ? body.code : null, status);
  } catch {
    return new GatewayError(`HTTP ${status}: ${snippet(text)}`, null, status);
  }
}

function snippet(text: string): string {
  const line = text.trim().replace(/\s+/g, ' ');
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
