/** A small method-and-path router: `/api/notebooks/:id` patterns, handlers get the params. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const source = path.replace(/:([A-Za-z]+)/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, handler });
    return this;
  }

  /**
   * The handler for a request: `{handler, params}`, `'method'` when the path exists under
   * another method, or null when nothing matches. Throws a 400 HttpError for a parameter
   * that is not valid percent-encoding (`/api/notebooks/%`).
   */
  match(method: string, pathname: string): { handler: Handler; params: Record<string, string> } | 'method' | null {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => (params[key] = decodeParam(m[i + 1])));
      return { handler: route.handler, params };
    }
    return pathMatched ? 'method' : null;
  }
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'bad_request', `The URL has malformed percent-encoding: ${JSON.stringify(raw)}.`);
  }
}
