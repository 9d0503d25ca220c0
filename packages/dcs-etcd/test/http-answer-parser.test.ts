/**
 * The HTTP/1.x answer parser behind the keepalive's plain socket: the same answer is read
 * whatever the pieces the socket hands over (one byte at a time, split at every offset),
 * with chunked, Content-Length and close-delimited bodies.
 */
import { describe, expect, it } from 'vitest';
import { HttpAnswerParser, HttpFramingError, type HttpAnswer } from '../src/http-answer-parser.js';

/** What etcd 3.4's gateway answered to one `POST /v3/lease/keepalive`, byte for byte. */
const KEEPALIVE_BODY = '{"result":{"header":{"cluster_id":"15001203259568105853","member_id":"5882001138461904660","revision":"1","raft_term":"2"},"ID":"1086671887508061446","TTL":"60"}}\n';
const ETCD_KEEPALIVE_ANSWER =
  'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Headers: accept, content-type, authorization\r\n' +
  'Access-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\nAccess-Control-Allow-Origin: *\r\n' +
  'Content-Type: application/json\r\nGrpc-Metadata-Content-Type: application/grpc\r\n' +
  'Date: Tue, 08 Dec 2026 00:16:34 GMT\r\nTransfer-Encoding: chunked\r\n\r\n' +
  `a3\r\n${KEEPALIVE_BODY}\r\n0\r\n\r\n`;

/** Feeds `pieces` in order; the answer must come with the last piece and not before. */
function parse(pieces: readonly Buffer[]): HttpAnswer {
  const parser = new HttpAnswerParser();
  let answer: HttpAnswer | null = null;
  for (const [index, piece] of pieces.entries()) {
    answer = parser.push(piece);
    if (index < pieces.length - 1) expect(answer, `answer before piece ${index + 1} of ${pieces.length}`).toBeNull();
  }
  if (answer === null) throw new Error('no answer after the last piece');
  return answer;
}

const bytes = (text: string): Buffer[] => [...Buffer.from(text)].map((byte) => Buffer.from([byte]));

describe('HttpAnswerParser', () => {
  it("reads etcd's chunked keepalive answer whole, one byte at a time, and split at every offset", () => {
    expect(KEEPALIVE_BODY.length).toBe(0xa3);
    const whole = Buffer.from(ETCD_KEEPALIVE_ANSWER);
    const expected = { status: 200, body: Buffer.from(KEEPALIVE_BODY), closes: false };
    expect(parse([whole])).toEqual(expected);
    expect(parse(bytes(ETCD_KEEPALIVE_ANSWER))).toEqual(expected);
    for (let at = 1; at < whole.length; at++) {
      expect(parse([whole.subarray(0, at), whole.subarray(at)])).toEqual(expected);
    }
  });

  it('skips chunk extensions and trailers; the terminator may come in a read of its own', () => {
    const head = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n';
    const parser = new HttpAnswerParser();
    expect(parser.push(Buffer.from(`${head}5;name=value\r\nhello\r\n6 ; a=b;c\r\n world\r\n`))).toBeNull();
    expect(parser.push(Buffer.from('0;last\r\n'))).toBeNull();
    expect(parser.push(Buffer.from('X-Trailer: yes\r\n'))).toBeNull();
    expect(parser.push(Buffer.from('\r'))).toBeNull();
    expect(parser.push(Buffer.from('\n'))).toEqual({ status: 200, body: Buffer.from('hello world'), closes: false });
  });

  it('reads a Content-Length body, header names in any case', () => {
    const answer = 'HTTP/1.1 404 Not Found\r\nCONTENT-length: 12\r\ncontent-TYPE: text/plain\r\n\r\nno such path';
    expect(parse(bytes(answer))).toEqual({ status: 404, body: Buffer.from('no such path'), closes: false });
    expect(parse([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')])).toEqual({ status: 200, body: Buffer.alloc(0), closes: false });
  });

  it('Connection: close, HTTP/1.0, and bytes past the answer make the connection unusable', () => {
    expect(parse([Buffer.from('HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 2\r\n\r\n{}')]).closes).toBe(true);
    expect(parse([Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}')]).closes).toBe(true);
    expect(parse([Buffer.from('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}')]).closes).toBe(false);
    expect(parse([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1')]).closes).toBe(true);
  });

  it('without Content-Length or chunking, the body ends when the server closes; a cut-off body is no answer', () => {
    const parser = new HttpAnswerParser();
    expect(parser.push(Buffer.from('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request'))).toBeNull();
    expect(parser.push(Buffer.from(' to an HTTPS server.\n'))).toBeNull();
    expect(parser.end()).toEqual({ status: 400, body: Buffer.from('Client sent an HTTP request to an HTTPS server.\n'), closes: true });

    const cut = new HttpAnswerParser();
    expect(cut.push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na3\r\n{"res'))).toBeNull();
    expect(cut.started).toBe(true);
    expect(cut.end()).toBeNull();
    expect(new HttpAnswerParser().started).toBe(false);
  });

  it('an informational 100 Continue is skipped', () => {
    expect(parse([Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}')])).toEqual({ status: 200, body: Buffer.from('{}'), closes: false });
  });

  it('malformed framing throws HttpFramingError', () => {
    const framing = (text: string) => () => new HttpAnswerParser().push(Buffer.from(text));
    expect(framing('SSH-2.0-OpenSSH_9.2\r\n\r\n')).toThrow(HttpFramingError);
    expect(framing('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).toThrow(/bad chunk size/);
    expect(framing('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY')).toThrow(/not followed by CRLF/);
    expect(framing('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')).toThrow(/Content-Length/);
    expect(framing('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n')).toThrow(/header field/);
  });
});
