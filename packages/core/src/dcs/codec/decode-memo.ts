/**
 * What each key last decoded to, so that a key whose entry has not changed since (same
 * value, version, session and modify version: everything a decoder reads) is not parsed
 * and frozen again. The HA loop reads the whole cluster every cycle and most keys change
 * rarely. A hit needs the same key, the same entry and the same decoder, so it is exactly
 * what decoding again would give (decoded values are frozen, never changed). After each
 * read only the keys that read saw are kept: the memo never outgrows one cluster.
 */
import type { RawEntry } from '../cluster.js';

interface Slot {
  readonly entry: RawEntry;
  readonly decoder: (entry: RawEntry) => unknown;
  readonly result: unknown;
  /** The read that last saw this key. */
  seenIn: number;
}

export class DecodeMemo {
  private readonly slots = new Map<string, Slot>();
  private read = 0;

  /** `decoder(entry)`, or what it gave before if this key's entry is unchanged. */
  decode<T>(entry: RawEntry, decoder: (entry: RawEntry) => T): T {
    let slot = this.slots.get(entry.key);
    if (!slot || slot.decoder !== decoder || !sameEntry(slot.entry, entry)) {
      slot = { entry, decoder, result: decoder(entry), seenIn: this.read };
      this.slots.set(entry.key, slot);
    }
    slot.seenIn = this.read;
    return slot.result as T;
  }

  /** Ends one read (decodeCluster is synchronous, so reads never interleave): keys it did not see are dropped. */
  endRead(): void {
    for (const slot of this.slots.values()) if (slot.seenIn !== this.read) this.slots.delete(slot.entry.key);
    this.read++;
  }
}

function sameEntry(a: RawEntry, b: RawEntry): boolean {
  return a.value === b.value && a.version === b.version && a.session === b.session && a.modifyVersion === b.modifyVersion;
}
