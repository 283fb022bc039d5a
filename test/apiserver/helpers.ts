// Small HTTP helpers for the API server tests.
import http from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions walk arbitrary JSON
  text: string;
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(base + path, {
    method,
    headers: {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': contentType } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain-text answers stay text
  }
  const hdrs: Record<string, string> = {};
  res.headers.forEach((v, k) => (hdrs[k] = v));
  return { status: res.status, headers: hdrs, body: parsed, text };
}

export function service(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { app: name } },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      ...extra,
    },
  };
}

export interface WatchEvent {
  type: string;
  object: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- watch objects are arbitrary JSON
}

/** An open watch stream: events as they arrive, and whether the server ended it. */
export class WatchStream {
  readonly events: WatchEvent[] = [];
  ended = false;
  errored = false;
  status = 0;
  private buf = '';
  private readonly waiters: (() => void)[] = [];
  private req: http.ClientRequest;

  constructor(base: string, path: string) {
    this.req = http.get(base + path, (res) => {
      this.status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        this.buf += chunk;
        let i: number;
        while ((i = this.buf.indexOf('\n')) >= 0) {
          const line = this.buf.slice(0, i);
          this.buf = this.buf.slice(i + 1);
          if (line.trim()) this.events.push(JSON.parse(line) as WatchEvent);
        }
        this.wake();
      });
      res.on('end', () => {
        this.ended = true;
        this.wake();
      });
      res.on('error', () => {
        this.errored = true;
        this.wake();
      });
      res.on('close', () => {
        this.ended = true;
        this.wake();
      });
    });
    this.req.on('error', () => {
      this.errored = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when `pred` holds, or rejects after `ms`. */
  async until(pred: (w: WatchStream) => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `watch condition not met in ${ms} ms; events: ${this.events.map((e) => e.type).join(',')}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.req.destroy();
  }
}
