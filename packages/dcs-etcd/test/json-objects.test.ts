/**
 * etcd's gateway streams `{"result":…}` objects back to back; the splitter must give the
 * same objects wherever TCP cuts the bytes: inside strings, escapes, multi-byte
 * characters, or between objects.
 */
import { describe, expect, it } from 'vitest';
import { JsonObjectSplitter } from '../src/json-objects.js';

const objects = [
  { result: { header: { revision: '7' }, created: true } },
  { result: { events: [{ kv: { key: 'L2E=', value: 'e30=' } }], note: 'a } brace, a " quote \\ and é€😀' } },
  { error: { grpc_code: 14, message: 'etcdserver: no leader' } },
];
const bytes = Buffer.from(objects.map((o) => JSON.stringify(o)).join('\n') + '\n');

describe('JsonObjectSplitter', () => {
  it('gives every object, whatever the chunk boundaries', () => {
    for (let size = 1; size <= bytes.length; size++) {
      const splitter = new JsonObjectSplitter();
      const seen: unknown[] = [];
      for (let at = 0; at < bytes.length; at += size) seen.push(...splitter.push(bytes.subarray(at, at + size)));
      expect(seen, `chunks of ${size} bytes`).toEqual(objects);
    }
  });

  it('cut at two points anywhere, objects come out once each, in order', () => {
    for (let a = 1; a < bytes.length; a += 3) {
      for (let b = a; b < bytes.length; b += 5) {
        const splitter = new JsonObjectSplitter();
        const seen = [...splitter.push(bytes.subarray(0, a)), ...splitter.push(bytes.subarray(a, b)), ...splitter.push(bytes.subarray(b))];
        expect(seen).toEqual(objects);
      }
    }
  });

  it('refuses bytes that are not a JSON object', () => {
    expect(() => new JsonObjectSplitter().push(Buffer.from('Client sent an HTTP request'))).toThrow(/between JSON objects/);
  });
});
