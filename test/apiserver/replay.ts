// A replay engine for the recorded kube-apiserver transcript (test/fixtures/k8s-protocol):
// placeholders learned from earlier answers (same name = same value), format-only `~path`
// checks, `path|unordered` lists, `replay.until` polling, `request.during` concurrent requests
// and `allowStatus`. Written for these tests; same semantics as the shared replay.mjs.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { fileURLToPath } from 'node:url';

export interface RecordedRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  during?: RecordedRequest;
}
export interface TranscriptRecord {
  step: number;
  title: string;
  request: RecordedRequest;
  response: {
    status: number;
    headers?: Record<string, string>;
    body?: unknown;
    during?: { status: number; body?: unknown };
  };
  note?: string;
  replay?: { check?: string[]; watch?: boolean; until?: string; allowStatus?: number[]; skip?: string };
}
export interface Transcript {
  records: TranscriptRecord[];
}

export function loadTranscript(): Transcript {
  const file = fileURLToPath(new URL('../fixtures/k8s-protocol/transcript.json', import.meta.url));
  return JSON.parse(readFileSync(file, 'utf8')) as Transcript;
}

const PH = /<<([A-Z]+(?:_\d+)?)>>/g;
const FULL = /^<<([A-Z]+)(?:_\d+)?>>$/;

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: unknown;
}

export class Replayer {
  readonly run = 'r' + Date.now().toString(36).slice(-5) + Math.floor(Math.random() * 1296).toString(36);
  readonly bound = new Map<string, unknown>([['RUN', this.run]]);
  private readonly formats: Record<string, (v: unknown) => boolean> = {
    RV: (v) => typeof v === 'string' && /^\d+$/.test(v),
    UID: (v) =>
      typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v),
    TS: (v) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(v),
    MICROTIME: (v) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(v),
    CLUSTERIP: (v) => typeof v === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(v),
    NODEPORT: (v) => Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536,
    CONTINUE: (v) => typeof v === 'string' && v.length > 0,
    RUN: (v) => v === this.run,
  };

  constructor(
    private readonly base: string,
    private readonly token?: string,
  ) {}

  private value(name: string): unknown {
    if (!this.bound.has(name)) throw new Error(`placeholder ${name} was never learned`);
    return this.bound.get(name);
  }

  substPath(s: string): string {
    return s.replace(PH, (_m, name: string) =>
      name === 'RUN' ? String(this.value(name)) : encodeURIComponent(String(this.value(name))),
    );
  }

  substBody(o: unknown): unknown {
    if (Array.isArray(o)) return o.map((x) => this.substBody(x));
    if (typeof o === 'string') {
      const m = /^<<([A-Z]+_\d+)>>$/.exec(o);
      if (m) return this.value(m[1] as string);
      return o.replace(PH, (_m, name: string) => String(this.value(name)));
    }
    if (o && typeof o === 'object') {
      const r: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o)) r[k] = this.substBody(v);
      return r;
    }
    return o;
  }

  send(method: string, path: string, headers: Record<string, string>, body: unknown): Promise<Answer> {
    const u = new URL(path, this.base);
    const mod = u.protocol === 'https:' ? https : http;
    const h: Record<string, string | number> = { ...headers };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    const data = body === undefined ? undefined : JSON.stringify(body);
    if (data !== undefined) h['Content-Length'] = Buffer.byteLength(data);
    return new Promise((resolve, reject) => {
      const req = mod.request(u, { method, headers: h, rejectUnauthorized: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: undefined });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error('request timed out after 30s')));
      if (data !== undefined) req.write(data);
      req.end();
    });
  }

  static parse(a: Answer, watch: boolean): unknown {
    if (watch) {
      const events = a.text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as { type: string });
      const eventTypes = events.map((e) => e.type);
      return {
        events,
        eventTypes,
        eventTypesCollapsed: eventTypes.filter((t, i, arr) => i === 0 || arr[i - 1] !== t),
      };
    }
    try {
      return JSON.parse(a.text) as unknown;
    } catch {
      return a.text;
    }
  }

  /** Compares a recorded value (which may hold placeholders) with an actual one. */
  match(rec: unknown, act: unknown, where: string, bind: boolean, errs: string[]): void {
    if (typeof rec === 'string') {
      const full = FULL.exec(rec);
      if (full) {
        const name = rec.slice(2, -2);
        const fmt = this.formats[full[1] as string];
        if (!fmt?.(act)) {
          errs.push(`${where}: expected ${full[1]} value, got ${show(act)}`);
          return;
        }
        if (!bind) return;
        if (!this.bound.has(name)) this.bound.set(name, act);
        else if (this.bound.get(name) !== act)
          errs.push(`${where}: ${name} was ${show(this.bound.get(name))} earlier, now ${show(act)}`);
        return;
      }
      if (new RegExp(PH.source).test(rec)) {
        const names: string[] = [];
        const re = new RegExp(
          '^' +
            escapeRe(rec).replace(/<<([A-Z]+(?:_\d+)?)>>/g, (_m, n: string) => {
              if (this.bound.has(n)) return escapeRe(String(this.bound.get(n)));
              names.push(n);
              return '(.+?)';
            }) +
            '$',
        );
        const mm = typeof act === 'string' ? re.exec(act) : null;
        if (!mm) errs.push(`${where}: expected ${show(rec)}, got ${show(act)}`);
        else if (bind) names.forEach((n, i) => this.bound.has(n) || this.bound.set(n, mm[i + 1]));
        return;
      }
    }
    if (Array.isArray(rec)) {
      if (!Array.isArray(act) || act.length !== rec.length) {
        errs.push(`${where}: expected ${show(rec)}, got ${show(act)}`);
        return;
      }
      rec.forEach((v, i) => this.match(v, act[i], `${where}[${i}]`, bind, errs));
      return;
    }
    if (rec && typeof rec === 'object') {
      if (!act || typeof act !== 'object' || Array.isArray(act)) {
        errs.push(`${where}: expected object ${show(rec)}, got ${show(act)}`);
        return;
      }
      const rk = Object.keys(rec).sort();
      const ak = Object.keys(act).sort();
      if (rk.join() !== ak.join()) {
        errs.push(`${where}: expected keys [${rk.join(',')}], got [${ak.join(',')}]`);
        return;
      }
      for (const k of rk)
        this.match(
          (rec as Record<string, unknown>)[k],
          (act as Record<string, unknown>)[k],
          `${where}.${k}`,
          bind,
          errs,
        );
      return;
    }
    if (rec !== act) errs.push(`${where}: expected ${show(rec)}, got ${show(act)}`);
  }

  /** Binds every placeholder that lines up with the answer, without judging it. */
  learn(rec: unknown, act: unknown): void {
    if (typeof rec === 'string') {
      const full = FULL.exec(rec);
      if (full && this.formats[full[1] as string]?.(act)) {
        const n = rec.slice(2, -2);
        if (!this.bound.has(n)) this.bound.set(n, act);
      }
      return;
    }
    if (Array.isArray(rec) && Array.isArray(act)) {
      rec.forEach((v, i) => this.learn(v, act[i]));
      return;
    }
    if (rec && typeof rec === 'object' && act && typeof act === 'object')
      for (const k of Object.keys(rec))
        this.learn((rec as Record<string, unknown>)[k], (act as Record<string, unknown>)[k]);
  }

  evaluate(rec: TranscriptRecord, a: Answer, body: unknown): string[] {
    const errs: string[] = [];
    const allowed = rec.replay?.allowStatus ?? [rec.response.status];
    if (!allowed.includes(a.status)) {
      const msg = body && typeof body === 'object' && 'message' in body ? ` (${String(body.message)})` : '';
      errs.push(`status ${a.status}, expected ${allowed.join(' or ')}${msg}`);
    }
    const ct = rec.response.headers?.['content-type'];
    const media = (v: string | undefined): string => (v ?? '').split(';')[0]?.trim() ?? '';
    if (ct && media(a.headers['content-type']) !== media(ct))
      errs.push(`content-type ${show(a.headers['content-type'])}, expected ${show(ct)}`);
    if (errs.length || (rec.replay?.allowStatus && a.status !== rec.response.status)) return errs;
    for (const c of rec.replay?.check ?? []) {
      const formatOnly = c.startsWith('~');
      let p = formatOnly ? c.slice(1) : c;
      if (p.endsWith('|unordered')) {
        p = p.slice(0, -'|unordered'.length);
        const want = getPath(rec.response.body, p);
        const got = getPath(body, p);
        if (!Array.isArray(want) || !Array.isArray(got) || want.length !== got.length) {
          errs.push(`${p}: expected ${show(want)}, got ${show(got)}`);
          continue;
        }
        const left = [...(got as unknown[])];
        for (const w of want) {
          const i = left.findIndex((g) => {
            const e: string[] = [];
            this.match(w, g, p, false, e);
            return e.length === 0;
          });
          if (i < 0) {
            errs.push(`${p}: no element matching ${show(w)} in ${show(got)}`);
            break;
          }
          left.splice(i, 1);
        }
        continue;
      }
      this.match(getPath(rec.response.body, p), getPath(body, p), p, !formatOnly, errs);
    }
    return errs;
  }

  /** Runs one record (with polling and the concurrent request); returns the failures. */
  async step(rec: TranscriptRecord): Promise<{ errs: string[]; body: unknown; answer: Answer | undefined }> {
    const path = this.substPath(rec.request.path);
    const body =
      rec.request.body === undefined || rec.request.body === null
        ? undefined
        : this.substBody(rec.request.body);
    const during = rec.request.during;
    const deadline = Date.now() + 30_000;
    let errs: string[];
    let parsed: unknown;
    let answer: Answer | undefined;
    for (;;) {
      const main = this.send(rec.request.method, path, rec.request.headers ?? {}, body);
      if (during) {
        await new Promise((r) => setTimeout(r, 1000));
        const d = await this.send(
          during.method,
          this.substPath(during.path),
          during.headers ?? {},
          this.substBody(during.body),
        );
        const dparsed = Replayer.parse(d, false);
        if (d.status !== rec.response.during?.status) {
          await main;
          return {
            errs: [
              `concurrent ${during.method} answered ${d.status}, expected ${rec.response.during?.status}`,
            ],
            body: dparsed,
            answer: d,
          };
        }
        this.learn(rec.response.during?.body, dparsed);
      }
      answer = await main;
      parsed = Replayer.parse(answer, rec.replay?.watch === true);
      errs = this.evaluate(rec, answer, parsed);
      if (!rec.replay?.until || errs.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (errs.length === 0 && answer.status === rec.response.status) this.learn(rec.response.body, parsed);
    return { errs, body: parsed, answer };
  }
}

export function getPath(o: unknown, p: string): unknown {
  if (p === '') return o;
  let cur: unknown = o;
  for (const part of p.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (cur === undefined || cur === null) return undefined;
    if (part === 'length' && Array.isArray(cur)) return cur.length;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function show(v: unknown): string {
  return (v === undefined ? 'absent' : JSON.stringify(v)).slice(0, 200);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
