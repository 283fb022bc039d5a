// Runs `ironlb controller` as a real child process (the built dist/ entry point), so tests can
// SIGKILL it like a crashed pod and read its /metrics like Prometheus would.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface ControllerProcess {
  readonly identity: string;
  readonly child: ChildProcess;
  readonly logs: Record<string, unknown>[];
  metricsPort(): Promise<number>;
  metric(name: string): Promise<number | undefined>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly exited: boolean;
}

export function startControllerProcess(
  kubeconfigFile: string,
  identity: string,
  extraArgs: string[] = [],
): ControllerProcess {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'controller',
      '--kubeconfig',
      kubeconfigFile,
      '--metrics-addr',
      '127.0.0.1:0',
      '--identity',
      identity,
      '--log-level',
      'debug',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    stderr += c;
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const metricsPort = (): Promise<number> =>
    waitFor(`controller ${identity} metrics port (stderr: ${stderr.slice(0, 500)})`, () => {
      const line = logs.find((l) => l.msg === 'controller starting' && typeof l.port === 'number');
      return line ? (line.port as number) : undefined;
    });
  return {
    identity,
    child,
    logs,
    metricsPort,
    async metric(name: string): Promise<number | undefined> {
      const port = await metricsPort();
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    },
    async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
      if (!exited) child.kill(signal);
      await exit;
    },
    get exited() {
      return exited;
    },
  };
}
