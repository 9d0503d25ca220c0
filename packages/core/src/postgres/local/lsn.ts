import type { Lsn } from '../types.js';

/** `16/B374D848` → byte offset. Returns null for null/empty input. */
export function parseLsn(text: string | null | undefined): Lsn | null {
  if (!text) return null;
  const m = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(text.trim());
  if (!m) return null;
  return Number.parseInt(m[1]!, 16) * 2 ** 32 + Number.parseInt(m[2]!, 16);
}

/** Byte offset → `16/B374D848`, the form SQL functions accept. */
export function formatLsn(lsn: Lsn): string {
  const hi = Math.floor(lsn / 2 ** 32);
  const lo = lsn - hi * 2 ** 32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}
