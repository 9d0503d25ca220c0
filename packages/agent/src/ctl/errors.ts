/**
 * The one error patronictl shows the user: printed as `Error: <message>` on stderr,
 * exit status 1. Anything else escaping a command is a bug and prints its stack.
 */
export class CtlError extends Error {
  readonly code = 'ctl-error';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CtlError';
  }
}

/** End of input at a prompt: click prints `Aborted!` (no `Error:` prefix) and exits 1. */
export class CtlAbort extends CtlError {
  constructor() {
    super('Aborted!');
    this.name = 'CtlAbort';
  }
}
