/**
 * One persistent plain-HTTP (`http:`) connection to an etcd endpoint that carries one
 * POST at a time: the request is written straight to a node:net socket and the answer
 * read by HttpAnswerParser. A leader sends a lease keepalive every loop; this path spares
 * it node:http's request and response objects, a large part of its CPU. Callers check `busy`
 * and send a second concurrent request another way: nothing is queued here.
 *
 * The socket behaves as node:http's keep-alive agent treats its sockets: TCP keepalive,
 * no Nagle delay, and unreferenced while idle (an idle connection does not keep the
 * process alive). A request that fails on a reused idle socket before any byte of the
 * answer came (the server had closed it) is sent once more on a new connection; nothing
 * else is retried.
 */
import net from 'node:net';
import { HttpAnswerParser, type HttpAnswer } from './http-answer-parser.js';
import { boundRequest, type RequestOptions } from './request-bounds.js';

export interface PlainAnswer {
  readonly status: number;
  readonly text: string;
}

/** The request in flight: its parser, and where its outcome goes. */
interface InFlight {
  readonly parser: HttpAnswerParser;
  readonly onAnswer: (answer: HttpAnswer) => void;
  readonly onFailure: (error: Error) => void;
}

/** As node:http's agent in the gateway: probes start after 10 s of silence. */
const TCP_KEEPALIVE_MS = 10_000;

export class PlainHttpConnection {
  private readonly host: string;
  private readonly port: number;
  private readonly hostHeader: string;
  private socket: net.Socket | null = null;
  private inFlight: InFlight | null = null;
  private calling = false;
  private closed = false;

  /** `url`: `http://host:port` */
  constructor(readonly url: string) {
    const base = new URL(url);
    if (base.protocol !== 'http:') throw new Error(`a plain HTTP connection needs an http: URL, not ${url}`);
    this.host = base.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(base.port) || 80;
    this.hostHeader = base.host;
  }

  /** A request is in flight: another one must go another way. */
  get busy(): boolean {
    return this.calling;
  }

  /**
   * Sends `POST path` with the JSON text `json` (and `token` as Authorization) and
   * resolves with the answer's status and body, whatever the status. Rejects with
   * RequestTimeoutError when `options` give up (the socket is destroyed), or with an
   * Error naming the URL when the connection fails or closes before the whole answer.
   */
  post(path: string, json: string, token: string | null, options: RequestOptions): Promise<PlainAnswer> {
    if (this.closed) return Promise.reject(new Error('the gateway client is closed'));
    if (this.calling) return Promise.reject(new Error(`the connection to ${this.url} already carries a request`));
    if (token !== null && /[\r\n\0]/.test(token)) return Promise.reject(new Error('the etcd auth token holds a line break; it cannot be sent as a header'));
    const request =
      `POST ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\n${token === null ? '' : `Authorization: ${token}\r\n`}\r\n${json}`;
    this.calling = true;
    return new Promise<PlainAnswer>((resolve, reject) => {
      const settle = (): void => {
        this.calling = false;
        stop();
      };
      let sent = false;
      const stop = boundRequest(options, (error) => {
        this.calling = false;
        if (sent) this.drop();
        reject(error);
      });
      const attempt = (isRetry: boolean): void => {
        sent = true;
        // An open socket here is idle since its last answer; the server may have closed it meanwhile.
        const reused = this.socket !== null;
        const socket = this.socket ?? this.open();
        const parser = new HttpAnswerParser();
        this.inFlight = {
          parser,
          onAnswer: (answer) => {
            settle();
            resolve({ status: answer.status, text: answer.body.toString('utf8') });
          },
          onFailure: (error) => {
            if (reused && !parser.started && !isRetry && !this.closed) return attempt(true);
            settle();
            reject(error);
          },
        };
        socket.ref();
        socket.write(request);
      };
      // An already aborted signal gives up on the next microtask: touch no socket for it.
      if (!options.signal.aborted) attempt(false);
    });
  }

  /** Destroys the socket; a request in flight fails. */
  close(): void {
    this.closed = true;
    const inFlight = this.inFlight;
    this.drop();
    inFlight?.onFailure(new Error(`the connection to ${this.url} was closed by the client`));
  }

  private open(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
    // Listeners stay for the socket's life: an idle socket's error must not go unhandled.
    socket.on('data', (bytes: Buffer) => this.received(socket, bytes));
    socket.on('end', () => this.lost(socket, null));
    socket.on('close', () => this.lost(socket, null));
    socket.on('error', (error) => this.lost(socket, error));
    this.socket = socket;
    return socket;
  }

  private received(socket: net.Socket, bytes: Buffer): void {
    const inFlight = this.inFlight;
    if (socket !== this.socket || inFlight === null) {
      // Bytes nobody asked for: this connection is out of step.
      if (socket === this.socket) this.drop();
      return;
    }
    let answer: HttpAnswer | null;
    try {
      answer = inFlight.parser.push(bytes);
    } catch (error) {
      this.drop();
      inFlight.onFailure(new Error(`etcd's answer on ${this.url} is not valid HTTP: ${(error as Error).message}`, { cause: error }));
      return;
    }
    if (answer === null) return;
    this.inFlight = null;
    if (answer.closes) this.drop();
    else socket.unref();
    inFlight.onAnswer(answer);
  }

  /** The socket ended, closed or failed: an answer framed by the close is complete, anything else in flight fails. */
  private lost(socket: net.Socket, error: Error | null): void {
    if (socket !== this.socket) return;
    const inFlight = this.inFlight;
    this.drop();
    if (inFlight === null) return;
    const answer = error === null ? inFlight.parser.end() : null;
    if (answer !== null) return inFlight.onAnswer(answer);
    const what = inFlight.parser.started ? 'before the whole answer came' : 'before any answer';
    if (error === null) return inFlight.onFailure(new Error(`the connection to ${this.url} closed ${what}`));
    // A connect to a name with several addresses fails with an AggregateError that has only a code.
    const detail = error.message || `connect ${(error as NodeJS.ErrnoException).code ?? error.name}`;
    inFlight.onFailure(new Error(`the connection to ${this.url} failed ${what}: ${detail}`, { cause: error }));
  }

  /** Forgets and destroys the socket; the request in flight, if any, is left to the caller. */
  private drop(): void {
    const socket = this.socket;
    this.socket = null;
    this.inFlight = null;
    socket?.destroy();
  }
}

