/**
 * The two things node-zookeeper-client 1.1.3 has no public API for, done through its
 * connection manager (the version is pinned, so these fields are stable):
 *
 * - noticing a silent server. The client pings when its socket is idle but never
 *   times a connection out: a frozen server or a black-holed route leaves it "connected"
 *   forever. We watch for bytes from the server and drop a connection that stays
 *   silent past the read timeout, so the client moves on (to another server, if any)
 *   and requests fail fast instead of hanging;
 * - surviving a reply it does not know: the client throws from its socket handler on a
 *   result code newer than it (SESSION_MOVED, QUOTA_EXCEEDED, …), which would crash the
 *   agent. We turn that into a dropped connection (pending requests fail, it reconnects);
 * - dropping a connection without ending the session and without reconnecting
 *   (`sever`), so the server expires the session by timeout — what a frozen or killed
 *   agent looks like to ZooKeeper.
 */
import type { Socket } from 'node:net';
import type { Client } from 'node-zookeeper-client';

/** ConnectionManager.STATES of node-zookeeper-client 1.1.3. */
export const CM_STATE = {
  DISCONNECTED: 0,
  CONNECTING: 1,
  CONNECTED: 2,
  CONNECTED_READ_ONLY: 3,
  CLOSING: -1,
  CLOSED: -2,
  SESSION_EXPIRED: -3,
  AUTHENTICATION_FAILED: -4,
} as const;

interface ConnectionManager {
  state: number;
  onSocketData(buffer: Buffer): void;
  socket?: Socket;
  setState(state: number): void;
  connect(): void;
  onSocketConnected(): void;
  on(event: 'state', listener: (state: number) => void): void;
  removeListener(event: 'state', listener: (state: number) => void): void;
}

function manager(client: Client): ConnectionManager {
  const cm = (client as unknown as { connectionManager?: ConnectionManager }).connectionManager;
  if (!cm || typeof cm.setState !== 'function' || typeof cm.on !== 'function') {
    throw new Error('node-zookeeper-client internals changed: expected the 1.1.3 ConnectionManager');
  }
  return cm;
}

export function managerState(client: Client): number {
  return manager(client).state;
}

/** Calls `listener` on every connection-manager state change (finer than the client's events). */
export function onManagerState(client: Client, listener: (state: number) => void): () => void {
  const cm = manager(client);
  cm.on('state', listener);
  return () => cm.removeListener('state', listener);
}

/** Calls `listener` whenever bytes arrive from the server, on this and every later socket. */
export function onServerBytes(client: Client, listener: () => void): () => void {
  const cm = manager(client);
  let socket: Socket | undefined;
  const attach = (): void => {
    if (cm.socket === socket) return;
    socket?.removeListener('data', listener);
    socket = cm.socket;
    socket?.on('data', listener);
  };
  const onState = (): void => attach();
  cm.on('state', onState);
  attach();
  return () => {
    cm.removeListener('state', onState);
    socket?.removeListener('data', listener);
  };
}

/** Closes the current socket; the client reconnects (same session) by itself. */
export function dropConnection(client: Client): void {
  manager(client).socket?.destroy();
}

/**
 * Closes the socket without sending closeSession and stops the client for good: no
 * reconnect, no more pings. The session lives on in the server until it times out.
 */
export function sever(client: Client): void {
  const cm = manager(client);
  cm.connect = () => undefined;
  // A reconnect already scheduled would open a socket: close it as soon as it connects.
  cm.onSocketConnected = function (this: ConnectionManager) {
    this.socket?.destroy();
  };
  // In CLOSING the close handler does not reconnect; it ends in CLOSED.
  cm.setState(CM_STATE.CLOSING);
  cm.socket?.destroy();
}

/**
 * Wraps the client's socket data handler so an exception in it (an unknown result code)
 * drops the connection instead of escaping as an uncaught exception. Call before connect().
 */
export function guardReplies(client: Client, onError: (error: unknown) => void): void {
  const cm = manager(client);
  const original = cm.onSocketData;
  cm.onSocketData = function (this: ConnectionManager, buffer: Buffer) {
    try {
      original.call(this, buffer);
    } catch (error) {
      onError(error);
      this.socket?.destroy();
    }
  };
}
