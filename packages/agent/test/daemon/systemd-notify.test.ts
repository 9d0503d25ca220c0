import { describe, expect, it } from 'vitest';
import { serviceNotifier } from '../../src/daemon/systemd-notify.js';
import { waitFor } from '../e2e/cluster.js';
import { listenNotifySocket } from '../e2e/systemd-notify-socket.js';

function recordingLogger(): { info: (m: string) => void; warn: (m: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => void lines.push(`INFO ${m}`), warn: (m) => void lines.push(`WARN ${m}`) };
}

describe('serviceNotifier', () => {
  it('does nothing without NOTIFY_SOCKET (not run by systemd)', async () => {
    const logger = recordingLogger();
    const notifier = serviceNotifier({ env: { PATH: process.env.PATH }, logger, command: '/nonexistent/systemd-notify' });
    notifier.ready();
    notifier.stopping();
    await new Promise((r) => setTimeout(r, 200));
    expect(logger.lines).toEqual([]);
  });

  it('says once, naming the tool and the fix, when systemd-notify is missing', async () => {
    const logger = recordingLogger();
    const notifier = serviceNotifier({ env: { NOTIFY_SOCKET: '/run/nothing.sock', PATH: '/nonexistent' }, logger });
    notifier.ready();
    await waitFor('the warning', () => logger.lines.length > 0, 10_000);
    notifier.stopping();
    notifier.ready();
    await new Promise((r) => setTimeout(r, 300));
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/^WARN NOTIFY_SOCKET is set but systemd cannot be told that pgwarden is ready: systemd-notify was not found on PATH \(install the systemd package\)/);
  });

  it('delivers READY=1 with MAINPID once, then STOPPING=1, through the real systemd-notify', async () => {
    const socket = await listenNotifySocket();
    try {
      const logger = recordingLogger();
      const notifier = serviceNotifier({ env: { NOTIFY_SOCKET: socket.path, PATH: process.env.PATH }, logger, pid: process.pid });
      notifier.ready();
      notifier.ready();
      await waitFor('READY=1', () => socket.messages.some((m) => m.fields.READY === '1'), 20_000);
      notifier.stopping();
      await waitFor('STOPPING=1', () => socket.messages.some((m) => m.fields.STOPPING === '1'), 20_000);
      await waitFor('both helpers done', () => logger.lines.length === 2, 20_000);
      const ready = socket.messages.filter((m) => m.fields.READY === '1');
      expect(ready).toHaveLength(1);
      expect(ready[0]!.fields.MAINPID).toBe(String(process.pid));
      expect(logger.lines).toEqual(['INFO Told systemd: ready', 'INFO Told systemd: stopping']);
    } finally {
      socket.close();
    }
  });
});
