/** Which `pending_restart` rows the controller reports (regression: restated empty recovery settings). */
import { describe, expect, it } from 'vitest';
import { pendingChange } from '../../src/postgres/local/pending-restart.js';

describe('pendingChange', () => {
  it('drops settings whose value does not change (a replica restating recovery_target = "")', () => {
    expect(pendingChange('', '')).toBeNull();
    expect(pendingChange('', undefined)).toBeNull();
    expect(pendingChange('50', '50')).toBeNull();
  });

  it('reports a real change with the old and new value', () => {
    expect(pendingChange('50', '60')).toEqual({ old_value: '50', new_value: '60' });
    expect(pendingChange('100', undefined)).toEqual({ old_value: '100', new_value: '' });
  });
});
