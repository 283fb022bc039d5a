#!/usr/bin/env node
// ironlb <command>: the one entry point for every ironlb process.
import { runApiServerCommand } from './apiserver-command.js';
import { runControllerCommand } from './controller-command.js';
import { UsageError } from './usage-error.js';

interface Command {
  summary: string;
  run(argv: string[]): Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  controller: {
    summary: 'allocate LoadBalancer IPs from IPAddressPools and write Service status (leader-elected)',
    run: runControllerCommand,
  },
  apiserver: {
    summary: 'run the in-repo Kubernetes API server (for the lab and for tests; loopback only by default)',
    run: runApiServerCommand,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'ironlb: bare-metal LoadBalancer IPs and NodePort data plane for Kubernetes',
    '',
    'Usage: ironlb <command> [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'ironlb <command> --help' for the command's flags.",
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`ironlb: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`ironlb ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(
      `ironlb ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Commands return once they have shut down cleanly; idle keep-alive sockets of the
    // Kubernetes client must not hold the process open after that.
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`ironlb: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
