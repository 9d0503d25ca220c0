import { describe, expect, it } from 'vitest';
import { livenessStatus, readinessStatus } from '../../src/health/index.js';
import { NOW, primary, replica } from './fixtures.js';

describe('livenessStatus', () => {
  // ttl is 30 s: a running primary gets 30 s past its planned cycle, anything else 60 s.
  it('passes while the planned cycle plus ttl is ahead on a running primary', () => {
    expect(livenessStatus(primary({ nextLoopAt: NOW - 29_000 }), NOW)).toBe(200);
    expect(livenessStatus(primary({ nextLoopAt: NOW - 30_000 }), NOW)).toBe(503);
  });

  it('gives a replica twice the ttl', () => {
    expect(livenessStatus(replica({ nextLoopAt: NOW - 59_000 }), NOW)).toBe(200);
    expect(livenessStatus(replica({ nextLoopAt: NOW - 60_000 }), NOW)).toBe(503);
  });

  it('gives a primary whose postmaster is gone the replica grace', () => {
    expect(livenessStatus(primary({ postmasterRunning: false, nextLoopAt: NOW - 45_000 }), NOW)).toBe(200);
  });

  it('always passes in maintenance mode', () => {
    expect(livenessStatus(replica({ paused: true, nextLoopAt: 0 }), NOW)).toBe(200);
  });
});

describe('readinessStatus', () => {
  it('passes on the lock alone', () => {
    expect(readinessStatus(primary({ state: 'starting' }), NOW)).toBe(200);
  });
  it('passes a running node with a DCS view', () => {
    expect(readinessStatus(replica(), NOW)).toBe(200);
  });
  it('fails without a DCS view or while Postgres is not running', () => {
    expect(readinessStatus(replica({ clusterKnown: false }), NOW)).toBe(503);
    expect(readinessStatus(replica({ state: 'starting' }), NOW)).toBe(503);
    expect(readinessStatus(primary({ lockExpiresAt: NOW, state: 'stopped' }), NOW)).toBe(503);
  });
});
