/**
 * decide remembers two conversions it makes several times a cycle: a member's name as a
 * slot name, and a frozen tags object as NodeTags. A remembered answer must be the one
 * the conversion gives, and a tags object that can still change must not be remembered.
 */
import { describe, expect, it } from 'vitest';
import { slotNameFromMemberName } from '../../src/postgres/slots.js';
import { memberSlotName } from '../../src/ha/decide/slot-name.js';
import { memberTags } from '../../src/ha/decide/context.js';
import type { Member } from '../../src/dcs/cluster.js';

const member = (tags: unknown): Member => ({ name: 'n1', data: { tags } }) as unknown as Member;

describe('what decide remembers', () => {
  it('gives the slot name of each member name, also after the map started again', () => {
    for (const name of ['node-1', 'Node.2', 'ünï', 'a'.repeat(80)]) expect(memberSlotName(name)).toBe(slotNameFromMemberName(name));
    for (let i = 0; i < 1500; i++) expect(memberSlotName(`m-${i}`)).toBe(`m_${i}`);
    expect(memberSlotName('node-1')).toBe('node_1');
  });

  it('reads a frozen tags object once, and an unfrozen one every time', () => {
    const frozen = Object.freeze({ nofailover: true });
    expect(memberTags(member(frozen))).toBe(memberTags(member(frozen)));
    expect(memberTags(member(frozen)).nofailover).toBe(true);
    const open: Record<string, unknown> = { nofailover: true };
    expect(memberTags(member(open)).nofailover).toBe(true);
    open['nofailover'] = false;
    expect(memberTags(member(open)).nofailover).toBe(false);
  });
});
