import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { FenceStartOptions, FenceState } from '../../src/index.js';

interface Reply {
  readonly id?: number;
  readonly error?: string;
  readonly validUntil?: number;
  readonly state?: FenceState;
}

/** The stand-in agent (agent.ts) as a child process, in its own process group. */
export class AgentProcess {
  readonly logs: { level: string; message: string }[] = [];
  private readonly waiting = new Map<number, (r: Reply) => void>();
  private nextId = 1;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly ready: Promise<FenceState>) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static async start(entry: string, options: FenceStartOptions): Promise<{ agent: AgentProcess; state: FenceState }> {
    // detached: its own process group, so the test can SIGKILL "the agent's group".
    const child = spawn(process.execPath, [entry, JSON.stringify(options)], { detached: true, stdio: 'pipe' });
    let onReady: (s: FenceState) => void = () => undefined;
    const ready = new Promise<FenceState>((r) => (onReady = r));
    const agent = new AgentProcess(child, ready);
    child.stderr.on('data', (d: Buffer) => agent.logs.push({ level: 'stderr', message: d.toString() }));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as Reply & { log?: string; message?: string; ready?: boolean };
      if (msg.log) agent.logs.push({ level: msg.log, message: msg.message ?? '' });
      else if (msg.ready && msg.state) onReady(msg.state);
      else if (msg.id !== undefined) agent.waiting.get(msg.id)?.(msg);
    });
    const state = await Promise.race([
      ready,
      agent.exited.then(() => {
        throw new Error(`agent exited at start: ${agent.logs.map((l) => l.message).join('\n')}`);
      }),
    ]);
    return { agent, state };
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  async send(cmd: string, args: Record<string, number> = {}): Promise<Reply> {
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve) => this.waiting.set(id, resolve));
    this.child.stdin.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    const r = await reply;
    if (r.error) throw new Error(`agent ${cmd}: ${r.error}`);
    return r;
  }

  async state(): Promise<FenceState> {
    const r = await this.send('state');
    if (!r.state) throw new Error('no state');
    return r.state;
  }

  signal(sig: NodeJS.Signals, group = false): void {
    process.kill(group ? -this.pid : this.pid, sig);
  }

  /** Test cleanup: kill whatever is left of the agent (the guard is handled separately). */
  async destroy(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      this.signal('SIGKILL');
    } catch {
      /* already gone */
    }
    await this.exited;
  }
}

/** VmRSS of a process in kB, from /proc/<pid>/status. */
export function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function monoNow(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

/** Live children of a process (the guard's `sleep` while it naps). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(e));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}
