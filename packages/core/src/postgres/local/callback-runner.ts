import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../logger.js';
import type { CallbackAction, CallbackEvent } from '../callbacks.js';
import type { RunAs } from './run-as.js';
import { spawnIdentity } from './run-as.js';
import { scriptEnvironment } from './script-env.js';
import { splitCommand } from './tool-options.js';

/**
 * Patroni's callback rules (spec §3.8): `<cmd…> <action> <role> <scope>`, fire and
 * forget, one at a time — a new callback kills the running one and its process tree —
 * except on_reload, which has its own slot and only replaces an earlier on_reload.
 */
export class CallbackRunner {
  private main: ChildProcess | null = null;
  private reload: ChildProcess | null = null;
  private readonly listeners = new Set<(e: CallbackEvent) => void>();

  constructor(
    private commands: Readonly<Partial<Record<CallbackAction, string>>>,
    private readonly scope: string,
    private readonly runAs: RunAs | null,
    private readonly logger: Logger,
  ) {}

  /** A reloaded config's callbacks, used from the next event on. */
  setCommands(commands: Readonly<Partial<Record<CallbackAction, string>>>): void {
    this.commands = commands;
  }

  onCallback(fn: (e: CallbackEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** `role` in Patroni 4's wording: primary, replica, standby_leader, demoted. */
  fire(action: CallbackAction, role: string): void {
    const cmd = this.commands[action];
    if (!cmd) return;
    const argv = [...splitCommand(cmd), action, role, this.scope];
    const slot = action === 'on_reload' ? 'reload' : 'main';
    kill(this[slot]);
    try {
      const child = spawn(argv[0]!, argv.slice(1), {
        detached: true,
        stdio: 'ignore',
        cwd: this.runAs?.home ?? process.cwd(),
        // No agent secrets in a user script's environment; HOME matches the user it runs as.
        env: { ...scriptEnvironment(), ...(this.runAs ? { HOME: this.runAs.home } : {}) },
        ...spawnIdentity(this.runAs),
      });
      child.on('error', (e) => this.logger.warn(`callback ${action} failed to start: ${e.message}`));
      child.on('exit', () => {
        if (this[slot] === child) this[slot] = null;
      });
      child.unref();
      this[slot] = child;
    } catch (e) {
      this.logger.warn(`callback ${action} failed to start: ${(e as Error).message}`);
      return;
    }
    const event: CallbackEvent = { action, role, command: argv };
    for (const l of this.listeners) l(event);
  }

  close(): void {
    kill(this.main);
    kill(this.reload);
  }
}

function kill(child: ChildProcess | null): void {
  if (!child?.pid || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}
