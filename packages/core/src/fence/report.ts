import { appendFileSync, closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';

/** What the guard says it did, one line each (see guard.sh `report`). */
export type GuardEvent =
  | { readonly kind: 'started'; readonly atCs: number; readonly pid: number }
  | { readonly kind: 'fired'; readonly atCs: number; readonly why: FireReason; readonly line: string }
  | { readonly kind: 'signal'; readonly atCs: number; readonly signal: string }
  | { readonly kind: 'done'; readonly atCs: number; readonly mode: string }
  | { readonly kind: 'exit'; readonly atCs: number; readonly why: string }
  /** Written by an agent (not the guard) once it has reported a stop: see unseenStop. */
  | { readonly kind: 'seen'; readonly atCs: number }
  | { readonly kind: 'other'; readonly line: string };

/** Why the guard fired: no heartbeat moved the deadline, and the agent was … */
export type FireReason = 'agent-stopped' | 'agent-gone' | 'heartbeat-late';

export function parseReportLine(line: string): GuardEvent {
  const [cs, kind, arg = '', ...rest] = line.split(' ');
  const atCs = Number(cs);
  if (!Number.isFinite(atCs)) return { kind: 'other', line };
  switch (kind) {
    case 'started':
      return { kind: 'started', atCs, pid: Number(arg.replace('pid=', '')) };
    case 'fired':
      return { kind: 'fired', atCs, why: arg as FireReason, line: [arg, ...rest].join(' ') };
    case 'signal':
      return { kind: 'signal', atCs, signal: arg };
    case 'done':
      return { kind: 'done', atCs, mode: arg };
    case 'exit':
      return { kind: 'exit', atCs, why: arg };
    case 'seen':
      return { kind: 'seen', atCs };
    default:
      return { kind: 'other', line };
  }
}

/** Reads the lines appended to the report file since the last call. */
export class ReportTail {
  private offset: number;
  constructor(private readonly path: string, fromEnd = true) {
    this.offset = fromEnd ? sizeOf(path) : 0;
  }

  read(): GuardEvent[] {
    const size = sizeOf(this.path);
    if (size < this.offset) this.offset = 0; // truncated by someone
    if (size === this.offset) return [];
    const buf = Buffer.alloc(size - this.offset);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return [];
    this.offset += Buffer.byteLength(text.slice(0, end + 1));
    return text
      .slice(0, end)
      .split('\n')
      .filter((l) => l.length > 0)
      .map(parseReportLine);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * A stop the guard made while no agent was watching (the agent was SIGKILLed or crashed
 * and the guard fenced at the deadline): the last `fired` in the report file with no
 * `seen` mark and no later guard start after it. A restarted agent reports it once, then
 * marks it with `markSeen`, so the next restart does not report it again.
 */
export function unseenStop(path: string): { why: FireReason; mode: string | null } | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  let why: FireReason | null = null;
  let mode: string | null = null;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const ev = parseReportLine(line);
    if (ev.kind === 'fired') [why, mode] = [ev.why, null];
    else if (ev.kind === 'done') mode = ev.mode;
    else if (ev.kind === 'started' || ev.kind === 'seen') why = null;
  }
  return why === null ? null : { why, mode };
}

/** Appends the agent's `seen` mark (same clock as the guard's lines). */
export function markSeen(path: string, atCs: number): void {
  appendFileSync(path, `${atCs} seen\n`, { mode: 0o600 });
}
