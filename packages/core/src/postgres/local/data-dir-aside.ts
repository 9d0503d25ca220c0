/**
 * Where a failed bootstrap's data directory goes: `<dir>_YYYY-MM-DD-HH-MM-SS` (UTC), the
 * shape Patroni uses, so operators find it where they expect.
 */
export function asideName(dataDir: string, at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getUTCFullYear()}-${two(at.getUTCMonth() + 1)}-${two(at.getUTCDate())}-${two(at.getUTCHours())}-${two(at.getUTCMinutes())}-${two(at.getUTCSeconds())}`;
  return `${dataDir.replace(/\/+$/, '')}_${stamp}`;
}
