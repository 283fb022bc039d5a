import { describe, expect, it } from 'vitest';
import { isLogLevel } from '../src/log/logger.js';

describe('logger levels', () => {
  it('accepts pino levels and rejects others', () => {
    expect(isLogLevel('debug')).toBe(true);
    expect(isLogLevel('verbose')).toBe(false);
  });
});
