import { describe, expect, it } from 'vitest';
import { checkpointEndFromWaldump } from '../../src/postgres/local/divergence-waldump.js';
import { parseLsn } from '../../src/postgres/local/lsn.js';

// Captured from PostgreSQL 15's pg_waldump after a clean shutdown (`-s 0/1500790 -n 2`).
const STDOUT =
  'rmgr: XLOG        len (rec/tot):    114/   114, tx:          0, lsn: 0/01500790, prev 0/01500718, desc: CHECKPOINT_SHUTDOWN redo 0/1500790; tli 1; prev tli 1; fpw true; xid 0:724; oid 13572; multi 1; offset 0; oldest xid 716 in DB 1; oldest multi 1 in DB 1; oldest/newest commit timestamp xid: 0/0; oldest running xid 0; shutdown\n';
const STDERR = 'pg_waldump: error: error in WAL record at 0/1500790: invalid record length at 0/1500808: wanted 24, got 0\n';
const AT = parseLsn('0/1500790')!;

describe('the end of a shutdown checkpoint from pg_waldump', () => {
  it('is the position after "invalid record length at", not the record start', () => {
    expect(checkpointEndFromWaldump(STDOUT, STDERR, AT)).toBe(parseLsn('0/1500808'));
  });

  it('reads the PG 16 wording too', () => {
    const v16 = STDERR.replace('wanted 24', 'expected at least 24');
    expect(checkpointEndFromWaldump(STDOUT, v16, AT)).toBe(parseLsn('0/1500808'));
  });

  it('is unknown when WAL continues after the checkpoint', () => {
    const two = STDOUT + STDOUT.replace('lsn: 0/01500790', 'lsn: 0/01500808');
    expect(checkpointEndFromWaldump(two, '', AT)).toBeNull();
  });

  it('is unknown for another record or another error', () => {
    expect(checkpointEndFromWaldump(STDOUT, STDERR, parseLsn('0/1500718')!)).toBeNull();
    expect(checkpointEndFromWaldump('', 'pg_waldump: error: could not find file "000000010000000000000002"', AT)).toBeNull();
  });
});
