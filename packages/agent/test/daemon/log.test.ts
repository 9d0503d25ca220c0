/**
 * The daemon's log: Patroni's formats, and `log.dir` with RotatingFileHandler's rotation
 * (patroni.log, patroni.log.1 … .file_num) that never loses or splits a line.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStartConfig } from '../../src/daemon/config-load.js';
import { createLogger, logSettingsOf } from '../../src/daemon/log.js';
import { renderPlain, strftime } from '../../src/daemon/log-format.js';
import { writeConfig } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'pgwarden-log-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lineNumbers = (text: string): number[] => [...text.matchAll(/line (\d+) /g)].map((m) => Number(m[1]));

describe('log.dir rotation', () => {
  it('rotates at file_size, keeps file_num old files and loses no line', () => {
    const dir = join(root, 'rotate');
    const logger = createLogger({ format: 'plain', level: 'INFO', write: () => expect.fail('nothing goes to stderr with log.dir'), file: { dir, fileSize: 2000, fileNum: 3 } });
    for (let i = 0; i < 500; i++) logger.info(`line ${i} ${'x'.repeat(i % 40)}`);
    logger.close();
    expect(readdirSync(dir).sort()).toEqual(['patroni.log', 'patroni.log.1', 'patroni.log.2', 'patroni.log.3']);
    // Oldest first: .3, .2, .1, then the current file; together a gap-free run ending at the last line.
    const files = ['patroni.log.3', 'patroni.log.2', 'patroni.log.1', 'patroni.log'].map((f) => join(dir, f));
    const numbers = files.flatMap((f) => lineNumbers(readFileSync(f, 'utf8')));
    expect(numbers.at(-1)).toBe(499);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
    for (const f of files) {
      expect(statSync(f).size).toBeLessThan(2000);
      // Whole lines only: every file ends with a newline and every line is complete.
      const text = readFileSync(f, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.trimEnd().split('\n')) expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO: line \d+ x*$/);
    }
  });

  it('appends to an existing patroni.log and switches between stderr and a file on configure()', () => {
    const dir = join(root, 'switch');
    const stderr: string[] = [];
    const logger = createLogger({ format: 'plain', level: 'INFO', write: (l) => void stderr.push(l) });
    logger.info('to stderr');
    logger.configure({ format: 'json', level: 'DEBUG', file: { dir, fileSize: 1_000_000, fileNum: 2 } });
    logger.debug('to the file');
    expect(logger.filePath).toBe(join(dir, 'patroni.log'));
    logger.configure({ format: 'plain', level: 'INFO' });
    logger.info('back to stderr');
    logger.close();
    expect(stderr.map((l) => l.replace(/^.*INFO: /, ''))).toEqual(['to stderr\n', 'back to stderr\n']);
    expect(JSON.parse(readFileSync(join(dir, 'patroni.log'), 'utf8'))).toMatchObject({ levelname: 'DEBUG', message: 'to the file' });
  });

  it('a log.dir that cannot be created is an error naming log.dir, and configure() keeps the old destination', () => {
    createLogger({ format: 'plain', level: 'INFO', write: () => undefined, file: { dir: root, fileSize: 10, fileNum: 1 } }).close();
    expect(() => createLogger({ format: 'plain', level: 'INFO', write: () => undefined, file: { dir: join(root, 'patroni.log', 'x'), fileSize: 10, fileNum: 1 } })).toThrow(/^log\.dir = .*cannot open the log file/);
    const lines: string[] = [];
    const logger = createLogger({ format: 'plain', level: 'INFO', write: (l) => void lines.push(l) });
    expect(() => logger.configure({ format: 'plain', level: 'INFO', file: { dir: join(root, 'patroni.log', 'y'), fileSize: 10, fileNum: 1 } })).toThrow(/log\.dir/);
    logger.info('still here');
    expect(lines).toHaveLength(1);
  });
});

describe('log formats', () => {
  const record = { levelname: 'WARNING', levelno: 30, message: 'hello', created: new Date(2024, 5, 17, 10, 0, 5, 123) };

  it('renders %-style formats with widths, and dateformat as strftime', () => {
    expect(renderPlain('%(asctime)s %(levelname)s: %(message)s', record)).toBe('2024-06-17 10:00:05,123 WARNING: hello');
    expect(renderPlain('[%(levelname)-8s] %(name)s %(message)s %%', record)).toBe('[WARNING ] patroni hello %');
    expect(renderPlain('%(asctime)s %(message)s', record, '%d/%m/%Y %H:%M:%S')).toBe('17/06/2024 10:00:05 hello');
    expect(strftime(record.created, '%b %a %j %I%p')).toBe('Jun Mon 169 10AM');
  });

  it('json logs carry the fields a format names, renamed by {field: key}, plus static fields', () => {
    const lines: string[] = [];
    const logger = createLogger({
      format: 'json',
      level: 'INFO',
      write: (l) => void lines.push(l),
      lineFormat: ['asctime', { levelname: 'level' }, 'message'],
      staticFields: { app: 'pgwarden' },
    });
    logger.warn('careful', { member: 'node1' });
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(['asctime', 'level', 'message', 'app', 'member']);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'WARNING', message: 'careful', app: 'pgwarden', member: 'node1' });
  });

  it('the log section and its PATRONI_LOG_* variables reach the logger settings', async () => {
    const dir = join(root, 'env');
    const env = {
      PATRONI_LOG_DIR: dir,
      PATRONI_LOG_FILE_SIZE: '4096',
      PATRONI_LOG_FILE_NUM: '2',
      PATRONI_LOG_TYPE: 'json',
      PATRONI_LOG_LEVEL: 'WARNING',
      PATRONI_LOG_FORMAT: 'asctime,levelname,message',
    };
    const { config } = await loadStartConfig(writeConfig(mkdtempSync(join(root, 'cfg-')), '127.0.0.1:1'), env);
    expect(logSettingsOf(config.log)).toMatchObject({ format: 'json', level: 'WARNING', lineFormat: ['asctime', 'levelname', 'message'], file: { dir, fileSize: 4096, fileNum: 2 } });
    // --log-format wins over log.type.
    expect(logSettingsOf(config.log, 'plain').format).toBe('plain');
  });
});
