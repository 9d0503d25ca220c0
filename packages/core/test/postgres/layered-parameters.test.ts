import { describe, expect, it } from 'vitest';
import { layeredParameters } from '../../src/postgres/local/layered-parameters.js';

describe('layeredParameters: patroni.yml over the dynamic configuration', () => {
  it('keeps both layers where they name different settings', () => {
    expect(layeredParameters({ work_mem: '4MB' }, { shared_buffers: '128MB' })).toEqual({ work_mem: '4MB', shared_buffers: '128MB' });
  });

  it('lets the local value win, spelled as the local layer spells it', () => {
    expect(layeredParameters({ work_mem: '4MB' }, { work_mem: '8MB' })).toEqual({ work_mem: '8MB' });
    // Postgres reads both spellings as one setting: only the local line may reach the file.
    expect(layeredParameters({ wal_retrieve_retry_interval: '3s' }, { WAL_RETRIEVE_RETRY_INTERVAL: '7s' })).toEqual({
      WAL_RETRIEVE_RETRY_INTERVAL: '7s',
    });
    expect(layeredParameters({ Work_Mem: '4MB', port: '5433' }, { work_mem: '8MB' })).toEqual({ port: '5433', work_mem: '8MB' });
  });
});
