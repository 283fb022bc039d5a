// A lean JSON REST call for the controller's hot write path. client-node's generated APIs
// serialise through a type-map walker, go through node-fetch and rebuild class instances for
// every answer; at thousands of status writes that is most of the controller's CPU. This keeps
// client-node for everything that matters to correctness — kubeconfig, authentication (tokens,
// exec plugins, client certificates), TLS settings and the pooled agent — via its public
// applyToHTTPSOptions(), and only does the HTTP exchange itself. Errors are client-node's
// ApiException, so callers handle both paths alike.
import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';

const REQUEST_TIMEOUT_MS = 30_000;

export class KubeRest {
  readonly #kc: KubeConfig;
  readonly #server: URL;

  constructor(kc: KubeConfig) {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error('kubeconfig has no current cluster');
    this.#kc = kc;
    this.#server = new URL(server);
  }

  /** Sends `body` as JSON (or the given patch type) and returns the parsed JSON answer. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (data) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = data.length;
    }
    const opts: https.RequestOptions = { method, headers };
    await this.#kc.applyToHTTPSOptions(opts);
    // The server URL may carry a path prefix (e.g. behind a proxy): append, do not replace.
    const url = new URL(this.#server.href.replace(/\/$/, '') + path);
    const send = url.protocol === 'http:' ? http.request : https.request;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            const h: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h[k] = v;
            reject(
              new ApiException(status, `${method} ${path}: HTTP ${status}: ${text.slice(0, 500)}`, text, h),
            );
            return;
          }
          try {
            resolve((text === '' ? undefined : JSON.parse(text)) as T);
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () =>
        req.destroy(new Error(`${method} ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`)),
      );
      req.on('error', reject);
      req.end(data);
    });
  }
}

/** Path segment escaping for names and namespaces. */
export const seg = encodeURIComponent;
