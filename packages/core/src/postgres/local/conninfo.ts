/** Endpoints and libpq connection strings, without ever embedding a password. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
}

/** `postgres://host:port/dbname` (a member key's conn_url) → endpoint. */
export function parseConnUrl(url: string): Endpoint | null {
  try {
    const u = new URL(url);
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return null;
    return {
      host: decodeURIComponent(u.hostname.replace(/^\[|\]$/g, '')),
      port: u.port ? Number(u.port) : 5432,
      dbname: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
    };
  } catch {
    return null;
  }
}

/** `host:port` (postgresql.listen / connect_address) → first host and the port. */
export function parseHostPort(listen: string): { hosts: string[]; port: number } {
  const i = listen.lastIndexOf(':');
  const hostPart = i >= 0 ? listen.slice(0, i) : listen;
  const port = i >= 0 ? Number(listen.slice(i + 1)) : 5432;
  return { hosts: hostPart.split(',').map((h) => h.trim()).filter(Boolean), port };
}

function quote(value: string): string {
  return /^[A-Za-z0-9_.\-/:]+$/.test(value) ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** key=value libpq string; undefined values are left out. */
export function buildConninfo(fields: Readonly<Record<string, string | number | undefined>>): string {
  return Object.entries(fields)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k}=${quote(String(v))}`)
    .join(' ');
}

/** The parts of a libpq string, for comparing what is configured with what we want. */
export function parseConninfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out[m[1]!] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return out;
}
