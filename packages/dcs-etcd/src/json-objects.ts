/**
 * Splits a byte stream of concatenated JSON objects (what etcd's gateway sends on a
 * streaming call: `{"result":…}` one after another) into parsed objects. Chunks may cut
 * an object, a string or a multi-byte character anywhere: bytes are kept until the
 * object's closing brace, found by tracking depth outside strings.
 */
export class JsonObjectSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Feeds one chunk; returns the objects it completed, in order. Throws on bytes that are not JSON objects. */
  push(chunk: Buffer): unknown[] {
    const objects: unknown[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === 0x5c /* \ */) this.escaped = true;
        else if (byte === 0x22 /* " */) this.inString = false;
        continue;
      }
      if (this.depth === 0) {
        // Between objects only whitespace is allowed.
        if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) {
          start = i + 1;
          continue;
        }
        if (byte !== 0x7b /* { */) throw new Error(`unexpected byte 0x${byte.toString(16)} between JSON objects`);
      }
      if (byte === 0x22) this.inString = true;
      else if (byte === 0x7b || byte === 0x5b) this.depth++;
      else if (byte === 0x7d || byte === 0x5d) {
        this.depth--;
        if (this.depth === 0) {
          this.pending.push(chunk.subarray(start, i + 1));
          objects.push(JSON.parse(Buffer.concat(this.pending, this.pendingLength + i + 1 - start).toString('utf8')));
          this.pending = [];
          this.pendingLength = 0;
          start = i + 1;
        }
      }
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingLength += chunk.length - start;
    }
    return objects;
  }
}
