/**
 * Console I/O as click does it: `echo` to stdout, prompts that read one line from
 * stdin (piped input works, which is how the tests answer them), `confirm` with a
 * `[y/N]` default of no. End of input aborts the command, as click's `Aborted!`.
 */
import { CtlAbort } from './errors.js';

export interface CtlIo {
  echo(text: string): void;
  prompt(text: string, options?: { default?: string }): Promise<string>;
  confirm(text: string): Promise<boolean>;
}

class LineReader {
  private buffer = '';
  private ended = false;
  private waiters: (() => void)[] = [];
  private started = false;

  constructor(private readonly stream: NodeJS.ReadableStream) {}

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.stream.setEncoding?.('utf8');
    this.stream.on('data', (chunk: string | Buffer) => {
      this.buffer += chunk.toString();
      this.wake();
    });
    this.stream.on('end', () => {
      this.ended = true;
      this.wake();
    });
    this.stream.on('error', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The next line without its newline, or null at end of input. */
  async readLine(): Promise<string | null> {
    this.start();
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffer.slice(0, nl).replace(/\r$/, '');
        this.buffer = this.buffer.slice(nl + 1);
        if (!this.buffer.includes('\n') && !this.ended) this.stream.pause?.();
        return line;
      }
      if (this.ended) {
        if (!this.buffer) return null;
        const line = this.buffer;
        this.buffer = '';
        return line;
      }
      this.stream.resume?.();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): void {
    this.stream.pause?.();
  }
}

export function consoleIo(stdin: NodeJS.ReadableStream = process.stdin, stdout: NodeJS.WritableStream = process.stdout): CtlIo & { close(): void } {
  const reader = new LineReader(stdin);
  const write = (text: string): void => {
    stdout.write(text);
  };
  const aborted = (): never => {
    write('\n');
    throw new CtlAbort();
  };
  return {
    echo: (text) => write(`${text}\n`),
    async prompt(text, options = {}) {
      for (;;) {
        write(options.default !== undefined ? `${text} [${options.default}]: ` : `${text}: `); // click shows `[]` for an empty default
        const line = await reader.readLine();
        if (line === null) return aborted();
        if (line !== '') return line;
        if (options.default !== undefined) return options.default;
      }
    },
    async confirm(text) {
      for (;;) {
        write(`${text} [y/N]: `);
        const line = await reader.readLine();
        if (line === null) return aborted();
        const answer = line.trim().toLowerCase();
        if (answer === '') return false;
        if (answer === 'y' || answer === 'yes') return true;
        if (answer === 'n' || answer === 'no') return false;
        write('Error: invalid input\n');
      }
    },
    close: () => reader.close(),
  };
}
