/**
 * The settings for postgresql.conf from its two layers: patroni.yml's
 * `postgresql.parameters` over the dynamic configuration's. Postgres compares setting
 * names ignoring case, so a local name replaces a dynamic one however either is spelled:
 * with both lines in the file, the one sorted last would win, not necessarily the local one.
 */
export function layeredParameters(
  dynamic: Readonly<Record<string, string>>,
  local: Readonly<Record<string, string>>,
): Record<string, string> {
  const localNames = new Set(Object.keys(local).map((name) => name.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(dynamic)) if (!localNames.has(name.toLowerCase())) out[name] = value;
  return Object.assign(out, local);
}
