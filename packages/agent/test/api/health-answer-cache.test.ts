/**
 * Health answers are worked out once per state and target, then reused: what must still
 * change them without a new state — the lock running out — does, and different targets
 * keep their own answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@pgwarden/core';
import { RestApiServer } from '../../src/api/server.js';
import { primary, replica } from './fixtures.js';
import { FixedSource, RecordingActions } from './harness.js';

let server: RestApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('health answers reused for one state', () => {
  it('GET /primary turns 503 when the lock expires, though the state object is the same', async () => {
    const clock = new ManualClock();
    const source = new FixedSource(primary({ lockExpiresAt: clock.now() + 5000 }));
    server = await RestApiServer.start({ config: { listen: '127.0.0.1:0' }, source, actions: new RecordingActions(), clock });
    expect((await fetch(`${server.url}/primary`)).status).toBe(200);
    expect((await fetch(`${server.url}/primary`)).status).toBe(200);
    await clock.advance(5001);
    expect((await fetch(`${server.url}/primary`)).status).toBe(503);
    expect((await fetch(`${server.url}/replica`)).status).toBe(503);
  });

  it('each path and query keeps its own answer; a new state is answered afresh', async () => {
    const source = new FixedSource(replica());
    server = await RestApiServer.start({ config: { listen: '127.0.0.1:0' }, source, actions: new RecordingActions() });
    for (let i = 0; i < 3; i++) {
      expect((await fetch(`${server.url}/replica`)).status).toBe(200);
      expect((await fetch(`${server.url}/primary`)).status).toBe(503);
      expect((await fetch(`${server.url}/replica?lag=1MB`)).status).toBe(200);
      expect((await fetch(`${server.url}/replica?lag=0`)).status).toBe(503); // 960 bytes behind
    }
    const body = await (await fetch(`${server.url}/replica`)).json();
    expect(body).toMatchObject({ role: 'replica' });
    source.state = primary();
    expect((await fetch(`${server.url}/replica`)).status).toBe(503);
    expect((await fetch(`${server.url}/primary`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/primary`)).json()).toMatchObject({ role: 'primary' });
  });
});
