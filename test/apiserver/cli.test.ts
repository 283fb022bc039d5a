import { describe, expect, it, vi } from 'vitest';
import { runApiServerCommand } from '../../src/cli/apiserver-command.js';
import { UsageError } from '../../src/cli/usage-error.js';

describe('ironlb apiserver command line', () => {
  it('refuses a non-loopback address unless allowed', async () => {
    await expect(runApiServerCommand(['--listen', '0.0.0.0:0'])).rejects.toThrow(UsageError);
    await expect(runApiServerCommand(['--listen', '0.0.0.0:0'])).rejects.toThrow(/--allow-non-loopback/);
  });

  it('rejects malformed flags', async () => {
    await expect(runApiServerCommand(['--listen', 'nope'])).rejects.toThrow(/HOST:PORT/);
    await expect(runApiServerCommand(['--tls-cert', 'c.pem'])).rejects.toThrow(/go together/);
    await expect(runApiServerCommand(['--feature-gates', 'Foo=true'])).rejects.toThrow(
      /unknown or malformed gate/,
    );
    await expect(runApiServerCommand(['--bogus'])).rejects.toThrow(UsageError);
  });

  it('prints help', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await runApiServerCommand(['--help']);
    expect(String(write.mock.calls[0]?.[0])).toMatch(/^Usage: ironlb apiserver \[flags\]/);
    write.mockRestore();
  });
});
