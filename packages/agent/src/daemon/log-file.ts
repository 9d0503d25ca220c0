/**
 * `log.dir`: Patroni's RotatingFileHandler — lines go to `<dir>/patroni.log`; when the
 * next line would take the file to `file_size` bytes or more, the file becomes
 * `patroni.log.1` (`.1` → `.2`, …, keeping `file_num` old files) and a new one starts.
 *
 * Writes are synchronous and each line is written whole before any rotation, so no line
 * is lost or split across a rotation, and the last lines before a crash or exit are on
 * disk (Patroni's queue thread can drop lines when its queue is full; we do not queue).
 */
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const LOG_FILE_NAME = 'patroni.log';

export interface RotatingFileOptions {
  readonly dir: string;
  /** Bytes; a line that would reach this size rotates first. */
  readonly fileSize: number;
  /** Old files kept: patroni.log.1 … patroni.log.<fileNum>. */
  readonly fileNum: number;
}

export class RotatingLogFile {
  readonly path: string;
  private fd: number;
  private size: number;

  constructor(private readonly options: RotatingFileOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.path = join(options.dir, LOG_FILE_NAME);
    this.fd = openSync(this.path, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
  }

  get settings(): RotatingFileOptions {
    return this.options;
  }

  write(line: string): void {
    const bytes = Buffer.from(line, 'utf8');
    // An empty file is never rotated: a line longer than file_size still gets written.
    if (this.size > 0 && this.size + bytes.length >= this.options.fileSize) this.rotate();
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off);
    this.size += bytes.length;
  }

  private rotate(): void {
    closeSync(this.fd);
    const n = this.options.fileNum;
    const name = (i: number): string => `${this.path}.${i}`;
    if (existsSync(name(n))) rmSync(name(n), { force: true });
    for (let i = n - 1; i >= 1; i--) if (existsSync(name(i))) renameSync(name(i), name(i + 1));
    renameSync(this.path, name(1));
    this.fd = openSync(this.path, 'a', 0o640);
    this.size = 0;
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
