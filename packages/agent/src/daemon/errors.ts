/** A reason the daemon cannot start, already worded for the operator: printed as one line, exit 1. */
export class DaemonStartError extends Error {
  readonly code = 'daemon-start';
}
