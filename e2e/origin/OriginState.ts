import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the specs change on the test origin while it runs, through `POST /__origin/<control>`
 * (documented at the top of server.ts): versions of generated files, pages served in place of a
 * file, gates that hold answers back, the signatures already used, and whether it is unreachable.
 */
export class OriginState {
  /** While true, every request but a control one has its connection destroyed (a network error). */
  unreachable = false;
  /** Version of the generated `.bin` at a pathname (1 when never set). */
  readonly versions = new Map<string, number>();
  /** Pathnames answered with a page of this Content-Type instead of their file. */
  readonly portals = new Map<string, string>();
  private readonly closedGates = new Map<string, Array<() => void>>();
  private readonly usedSignatures = new Set<string>();
  private readonly requestsOf = new Map<string, number>();

  versionOf(pathname: string): number {
    return this.versions.get(pathname) ?? 1;
  }

  /** Counts a request of `pathAndQuery`; returns how many there have been, this one included. */
  countRequest(pathAndQuery: string): number {
    const count = (this.requestsOf.get(pathAndQuery) ?? 0) + 1;
    this.requestsOf.set(pathAndQuery, count);
    return count;
  }

  /** Whether `signature` is still unused; it is used from now on. */
  useSignature(signature: string): boolean {
    if (this.usedSignatures.has(signature)) return false;
    this.usedSignatures.add(signature);
    return true;
  }

  /** Resolves once the gate `name` is open (at once when it is). */
  passGate(name: string): Promise<void> {
    const waiting = this.closedGates.get(name);
    if (!waiting) return Promise.resolve();
    return new Promise((resolve) => waiting.push(resolve));
  }

  private setGate(name: string, open: boolean): void {
    const waiting = this.closedGates.get(name);
    if (open) {
      this.closedGates.delete(name);
      for (const release of waiting ?? []) release();
    } else if (!waiting) {
      this.closedGates.set(name, []);
    }
  }

  /**
   * Answers a control request (`/__origin/version`, `/__origin/portal`, `/__origin/gate`,
   * `/__origin/unreachable`); false
   * when `url` is none of them.
   */
  handleControl(url: URL, req: IncomingMessage, res: ServerResponse): boolean {
    const controls: Record<string, (params: URLSearchParams) => string | undefined> = {
      '/__origin/version': (params) => {
        const path = params.get('path');
        const version = Number(params.get('v'));
        if (!path || !path.startsWith('/') || !Number.isInteger(version) || version < 1 || version > 256) return 'path=/<pathname>&v=<1..256>';
        this.versions.set(path, version);
        return undefined;
      },
      '/__origin/portal': (params) => {
        const path = params.get('path');
        const type = params.get('type') ?? '';
        if (!path || !path.startsWith('/')) return 'path=/<pathname>&type=<content-type, empty for off>';
        if (type === '') this.portals.delete(path);
        else this.portals.set(path, type);
        return undefined;
      },
      '/__origin/unreachable': (params) => {
        const on = params.get('on');
        if (on !== '0' && on !== '1') return 'on=<0|1>';
        this.unreachable = on === '1';
        return undefined;
      },
      '/__origin/gate': (params) => {
        const name = params.get('name');
        const open = params.get('open');
        if (!name || (open !== '0' && open !== '1')) return 'name=<gate>&open=<0|1>';
        this.setGate(name, open === '1');
        return undefined;
      },
    };
    const control = controls[url.pathname];
    if (!control) return false;
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return true;
    }
    const problem = control(url.searchParams);
    if (problem) res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${problem}\n`);
    else res.writeHead(204).end();
    return true;
  }
}
