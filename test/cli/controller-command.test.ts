import { describe, expect, it, vi } from 'vitest';
import { runControllerCommand } from '../../src/cli/controller-command.js';
import { UsageError } from '../../src/cli/usage-error.js';

describe('ironlb controller command line', () => {
  it('prints help listing every flag', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await runControllerCommand(['--help']);
    const text = String(write.mock.calls[0]?.[0]);
    write.mockRestore();
    expect(text).toMatch(/^Usage: ironlb controller \[flags\]/);
    for (const flag of [
      '--kubeconfig',
      '--in-cluster',
      '--lb-class',
      '--metrics-addr',
      '--log-level',
      '--lease-duration',
    ]) {
      expect(text).toContain(flag);
    }
  });

  it.each([
    [['--bogus'], /bogus/],
    [['--log-level', 'loud'], /--log-level/],
    [['--lease-duration', 'soon'], /--lease-duration/],
    [['--lease-duration', '5s', '--renew-deadline', '10s'], /shorter than --lease-duration/],
    [['--renew-deadline', '2s', '--retry-period', '3s'], /shorter than --renew-deadline/],
    [['--kubeconfig', '/nonexistent/kubeconfig'], /not found/],
  ])('rejects %j with a usage error', async (argv, message) => {
    const run = runControllerCommand(argv);
    await expect(run).rejects.toThrow(UsageError);
    await expect(runControllerCommand(argv)).rejects.toThrow(message);
  });
});
