/**
 * The keepalive's persistent plain-HTTP socket against a local server whose answers are
 * scripted byte by byte: reuse, reconnection after `Connection: close`, the one retry
 * when the server closed an idle socket, no retry otherwise, timeouts and aborts that
 * destroy the socket, and the Gateway falling back to node:http while the socket is busy.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isNotConnected } from '../src/errors.js';
import { Gateway, GatewayError, RequestTimeoutError } from '../src/gateway.js';
import { PlainHttpConnection, type PlainAnswer } from '../src/plain-http-connection.js';
import { ScriptedHttpServer, chunkedAnswer, sizedAnswer } from './support/scripted-http-server.js';

const RESULT = '{"result":{"header":{"revision":"7"},"ID":"42","TTL":"10"}}\n';
const options = (timeoutMs = 10_000, signal = new AbortController().signal) => ({ timeoutMs, signal });
const failureOf = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as Error,
  );

let server: ScriptedHttpServer;
let connection: PlainHttpConnection;
beforeEach(async () => {
  server = await ScriptedHttpServer.start();
  connection = new PlainHttpConnection(server.url);
});
afterEach(async () => {
  connection.close();
  await server.close();
});

/** One keepalive answered by the server on connection `index`, the answer written `pieceBytes` at a time. */
async function keepalive(index: number, answer = chunkedAnswer(RESULT), pieceBytes = Infinity): Promise<PlainAnswer> {
  const call = connection.post('/v3/lease/keepalive', '{"ID":"42"}', null, options());
  const peer = await server.connection(index);
  await peer.nextRequest();
  await peer.write(answer, pieceBytes);
  return call;
}

describe('PlainHttpConnection', () => {
  it('sends one POST with its headers and reads an answer written one byte at a time; the next call reuses the socket', async () => {
    const call = connection.post('/v3/lease/keepalive', '{"ID":"42"}', 'tok.en', options());
    const peer = await server.connection(0);
    const request = await peer.nextRequest();
    const port = new URL(server.url).port;
    expect(request).toBe(
      `POST /v3/lease/keepalive HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 11\r\nAuthorization: tok.en\r\n\r\n{"ID":"42"}`,
    );
    await peer.write(chunkedAnswer(RESULT, 'X-Split-Header: a b c\r\n'), 1);
    expect(await call).toEqual({ status: 200, text: RESULT });
    expect(await keepalive(0)).toEqual({ status: 200, text: RESULT });
    expect(server.connections).toHaveLength(1);
  });

  it('reads chunk extensions, a terminator written late, and a Content-Length body', async () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    const call = connection.post('/v3/lease/keepalive', '{}', null, options());
    const peer = await server.connection(0);
    await peer.nextRequest();
    await peer.write(`${head}3;ext=1\r\n{"a\r\n4 ; x\r\n":1}\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connection.busy).toBe(true);
    await peer.write('0\r\n');
    await peer.write('\r\n');
    expect(await call).toEqual({ status: 200, text: '{"a":1}' });
    expect(await keepalive(0, 'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{"b":2}', 3)).toEqual({ status: 200, text: '{"b":2}' });
  });

  it('Connection: close in the answer closes the socket; the next call connects again', async () => {
    expect(await keepalive(0, chunkedAnswer(RESULT, 'Connection: close\r\n'))).toEqual({ status: 200, text: RESULT });
    await server.connections[0]!.closed;
    expect(await keepalive(1)).toEqual({ status: 200, text: RESULT });
    expect(server.connections).toHaveLength(2);
  });

  it('the server closed the idle socket as the request went out: sent once more on a new connection', async () => {
    await keepalive(0);
    const call = connection.post('/v3/lease/keepalive', '{"ID":"42"}', null, options());
    const first = await server.connection(0);
    await first.nextRequest();
    first.socket.destroy();
    const second = await server.connection(1);
    expect(await second.nextRequest()).toContain('{"ID":"42"}');
    await second.write(chunkedAnswer(RESULT));
    expect(await call).toEqual({ status: 200, text: RESULT });
  });

  it('a retried request that fails again is not sent a third time', async () => {
    await keepalive(0);
    const call = failureOf(connection.post('/v3/lease/keepalive', '{}', null, options()));
    const first = await server.connection(0);
    await first.nextRequest();
    first.socket.destroy();
    const second = await server.connection(1);
    await second.nextRequest();
    second.socket.destroy();
    expect((await call).message).toBe(`the connection to ${server.url} closed before any answer`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.connections).toHaveLength(2);
  });

  it('the server closes in the middle of the answer: the call fails naming the URL and is not retried', async () => {
    await keepalive(0);
    const call = failureOf(connection.post('/v3/lease/keepalive', '{}', null, options()));
    const peer = await server.connection(0);
    await peer.nextRequest();
    await peer.write(chunkedAnswer(RESULT).slice(0, 60));
    peer.socket.destroy();
    expect((await call).message).toBe(`the connection to ${server.url} closed before the whole answer came`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.connections).toHaveLength(1);
  });

  it('a new connection closed before any answer is not retried', async () => {
    const call = failureOf(connection.post('/v3/lease/keepalive', '{}', null, options()));
    const peer = await server.connection(0);
    await peer.nextRequest();
    peer.socket.destroy();
    expect((await call).message).toMatch(/closed before any answer/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.connections).toHaveLength(1);
  });

  it('a timeout destroys the socket and fails with RequestTimeoutError; the next call works', async () => {
    const call = failureOf(connection.post('/v3/lease/keepalive', '{}', null, options(200)));
    const peer = await server.connection(0);
    await peer.nextRequest();
    const failure = await call;
    expect(failure).toBeInstanceOf(RequestTimeoutError);
    expect(failure.message).toBe('no answer within 200 ms');
    await peer.closed;
    expect(connection.busy).toBe(false);
    expect(await keepalive(1)).toEqual({ status: 200, text: RESULT });
  });

  it('an abort fails the call at once and destroys the socket; an already aborted signal leaves the idle socket alone', async () => {
    const controller = new AbortController();
    const call = failureOf(connection.post('/v3/lease/keepalive', '{}', null, options(10_000, controller.signal)));
    const peer = await server.connection(0);
    await peer.nextRequest();
    controller.abort();
    const failure = await call;
    expect(failure).toBeInstanceOf(RequestTimeoutError);
    expect(failure.message).toMatch(/abandoned/);
    await peer.closed;

    await keepalive(1);
    const aborted = await failureOf(connection.post('/v3/lease/keepalive', '{}', null, options(10_000, AbortSignal.abort())));
    expect(aborted).toBeInstanceOf(RequestTimeoutError);
    expect(await keepalive(1)).toEqual({ status: 200, text: RESULT });
    expect(server.connections[1]!.isClosed).toBe(false);
  });

  it('is busy while a request is in flight, and refuses a second one', async () => {
    const call = connection.post('/v3/lease/keepalive', '{}', null, options());
    expect(connection.busy).toBe(true);
    expect((await failureOf(connection.post('/v3/lease/keepalive', '{}', null, options()))).message).toMatch(/already carries a request/);
    const peer = await server.connection(0);
    await peer.nextRequest();
    await peer.write(chunkedAnswer(RESULT));
    await call;
    expect(connection.busy).toBe(false);
  });

  it('a refused connection names the errno, so the endpoint fail-over sees that nothing was sent', async () => {
    const url = server.url;
    connection.close();
    await server.close();
    const failure = await failureOf(new PlainHttpConnection(url).post('/v3/lease/keepalive', '{}', null, options()));
    expect(failure.message).toMatch(new RegExp(`^the connection to ${url} failed before any answer: .*ECONNREFUSED`));
    expect(isNotConnected(failure)).toBe(true);
  });

  it('close() fails the request in flight and destroys the socket', async () => {
    const call = failureOf(connection.post('/v3/lease/keepalive', '{}', null, options()));
    const peer = await server.connection(0);
    await peer.nextRequest();
    connection.close();
    expect((await call).message).toMatch(/closed by the client/);
    await peer.closed;
    expect((await failureOf(connection.post('/v3/lease/keepalive', '{}', null, options()))).message).toMatch(/closed/);
  });
});

describe('Gateway.callStream on a plain http: endpoint', () => {
  it('a non-200 answer fails with the GatewayError node:http gives', async () => {
    const gateway = new Gateway({ url: server.url });
    try {
      const call = failureOf(gateway.callStream('/v3/lease/keepalive', { ID: '42' }, options()));
      const peer = await server.connection(0);
      await peer.nextRequest();
      const body = '{"error":"etcdserver: too many requests","message":"etcdserver: too many requests","code":8}';
      await peer.write(sizedAnswer(429, body), 5);
      const failure = await call;
      expect(failure).toBeInstanceOf(GatewayError);
      expect(failure).toMatchObject({ message: 'etcdserver: too many requests', grpcCode: 8, httpStatus: 429 });
    } finally {
      gateway.close();
    }
  });

  it('etcd says the token is invalid: one new authentication, and the keepalive sent again with the new token', async () => {
    const gateway = new Gateway({ url: server.url, credentials: { username: 'root', password: 'pw' } });
    try {
      const call = gateway.callStream('/v3/lease/keepalive', { ID: '42' }, options());
      const agent = await server.connection(0);
      expect(await agent.nextRequest()).toMatch(/^POST \/v3\/auth\/authenticate /);
      await agent.write(sizedAnswer(200, '{"token":"first.1"}'));
      const plain = await server.connection(1);
      expect(await plain.nextRequest()).toMatch(/\r\nAuthorization: first\.1\r\n/);
      await plain.write(sizedAnswer(401, '{"error":"etcdserver: invalid auth token","message":"etcdserver: invalid auth token","code":16}'));
      expect(await agent.nextRequest()).toMatch(/^POST \/v3\/auth\/authenticate /);
      await agent.write(sizedAnswer(200, '{"token":"second.2"}'));
      expect(await plain.nextRequest()).toMatch(/\r\nAuthorization: second\.2\r\n/);
      await plain.write(chunkedAnswer(RESULT));
      expect(await call).toMatchObject({ ID: '42', TTL: '10' });
    } finally {
      gateway.close();
    }
  });

  it('a call made while the plain socket is busy goes over node:http instead of waiting', async () => {
    const gateway = new Gateway({ url: server.url });
    try {
      const first = gateway.callStream('/v3/lease/keepalive', { ID: '1' }, options());
      const plain = await server.connection(0);
      expect(await plain.nextRequest()).not.toMatch(/\r\nConnection: keep-alive/i);
      const second = gateway.callStream('/v3/lease/keepalive', { ID: '2' }, options());
      const overAgent = await server.connection(1);
      // node:http's keep-alive agent announces itself; the plain socket does not.
      expect(await overAgent.nextRequest()).toMatch(/\r\nConnection: keep-alive\r\n[\s\S]*\{"ID":"2"\}$/i);
      await overAgent.write(chunkedAnswer('{"result":{"ID":"2","TTL":"10"}}\n'));
      expect(await second).toEqual({ ID: '2', TTL: '10' });
      await plain.write(chunkedAnswer('{"result":{"ID":"1","TTL":"10"}}\n'));
      expect(await first).toEqual({ ID: '1', TTL: '10' });
    } finally {
      gateway.close();
    }
  });
});
