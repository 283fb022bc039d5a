// One pino logger factory for every process: JSON lines on stdout, level from the CLI.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export function createLogger(level: LevelWithSilent = 'info', name = 'ironlb'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}

export function isLogLevel(value: string): value is LevelWithSilent {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
