/**
 * Member names as slot names (slotNameFromMemberName), remembered: decide asks for the
 * same few names several times every cycle, and each conversion walks the name a
 * character at a time.
 */
import { slotNameFromMemberName } from '../../postgres/slots.js';

/** Members come and go over a cluster's life; past this many names the map starts again. */
const MAX_NAMES = 1024;
const slotNames = new Map<string, string>();

export function memberSlotName(member: string): string {
  let name = slotNames.get(member);
  if (name === undefined) {
    if (slotNames.size >= MAX_NAMES) slotNames.clear();
    name = slotNameFromMemberName(member);
    slotNames.set(member, name);
  }
  return name;
}
