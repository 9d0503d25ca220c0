/**
 * Independent seeded streams derived from one seed, one per purpose, so adding a draw in
 * one place (say, the workload) does not shift every other decision of a replayed run.
 */
import type { Random } from '../src/time/clock.js';
import { seededRandom } from '../src/time/random.js';

export function deriveRandom(seed: number, label: string): Random {
  // FNV-1a over the label, mixed with the seed.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return seededRandom(h);
}

export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
