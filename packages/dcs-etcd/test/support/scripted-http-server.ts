/**
 * A TCP server on a free loopback port whose answers a test writes byte by byte: it
 * collects each connection's HTTP requests (head and Content-Length body) and lets the
 * test answer, stall, or close at any point, to see how a client copes.
 */
import net from 'node:net';

/** How long a test waits for the client to connect or send: generous, so a client that never does fails the test instead of hanging it. */
const WAIT_MS = 10_000;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the scripted server saw no ${what} within ${WAIT_MS} ms`)), WAIT_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export class ScriptedConnection {
  private received = Buffer.alloc(0);
  private readonly requests: string[] = [];
  private waiting: ((request: string) => void) | null = null;
  /** Settles when the socket closed (either side). */
  readonly closed: Promise<void>;
  isClosed = false;

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', () => {
      this.isClosed = true;
      resolve();
    }));
    socket.on('data', (bytes: Buffer) => {
      this.received = Buffer.concat([this.received, bytes]);
      this.split();
    });
  }

  /** The next whole request this connection received (head and body, as text). */
  nextRequest(): Promise<string> {
    const request = this.requests.shift();
    if (request !== undefined) return Promise.resolve(request);
    return within(new Promise((resolve) => (this.waiting = resolve)), 'request');
  }

  /** Writes `text` `pieceBytes` at a time, pausing between pieces so the client reads them apart. */
  async write(text: string, pieceBytes = Infinity): Promise<void> {
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; at += pieceBytes) {
      if (at > 0) await new Promise((resolve) => setTimeout(resolve, 1));
      this.socket.write(bytes.subarray(at, at + pieceBytes));
    }
  }

  private split(): void {
    for (;;) {
      const headEnd = this.received.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = this.received.subarray(0, headEnd).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      const end = headEnd + 4 + length;
      if (this.received.length < end) return;
      const request = this.received.subarray(0, end).toString('utf8');
      this.received = this.received.subarray(end);
      const waiting = this.waiting;
      this.waiting = null;
      if (waiting) waiting(request);
      else this.requests.push(request);
    }
  }
}

export class ScriptedHttpServer {
  readonly connections: ScriptedConnection[] = [];
  private waiting: { readonly index: number; readonly resolve: (connection: ScriptedConnection) => void }[] = [];

  private constructor(private readonly server: net.Server) {
    server.on('connection', (socket) => {
      const connection = new ScriptedConnection(socket);
      this.connections.push(connection);
      this.waiting = this.waiting.filter((wait) => {
        const ready = this.connections[wait.index];
        if (ready) wait.resolve(ready);
        return !ready;
      });
    });
  }

  static async start(): Promise<ScriptedHttpServer> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new ScriptedHttpServer(server);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Connection number `index` (0-based), once it was accepted. */
  connection(index: number): Promise<ScriptedConnection> {
    const accepted = this.connections[index];
    if (accepted) return Promise.resolve(accepted);
    return within(new Promise((resolve) => this.waiting.push({ index, resolve })), `connection #${index + 1}`);
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An answer in the framing etcd's gateway uses for a streamed call: one chunk, then the terminator. */
export function chunkedAnswer(body: string, extraHeaders = ''): string {
  return `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${extraHeaders}Transfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
}

/** A whole answer with a Content-Length body. */
export function sizedAnswer(status: number, body: string): string {
  return `HTTP/1.1 ${status} Status\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}
