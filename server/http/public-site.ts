/**
 * Which Host and Origin headers name this server. A browser tricked by DNS rebinding sends
 * a foreign Host; a page on another site sends a foreign Origin: both are refused, the first
 * by host, the second by comparing against the public address — never against the Host the
 * request itself claims (see server/http/request-guard.ts).
 */

/** Names a local install answers to, on its own port, when CAIRN_PUBLIC_URL is unset. */
const LOCAL_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'];

export class PublicSite {
  /**
   * @param publicUrl the configured public address, or null for a local install
   * @param port the port the server is bound to (known only once it listens: tests bind port 0)
   */
  constructor(
    private readonly publicUrl: URL | null,
    private readonly port: () => number
  ) {}

  /** Session cookies are Secure exactly when people reach Cairn over https. */
  get secureCookies(): boolean {
    return this.publicUrl?.protocol === 'https:';
  }

  /** The origins Cairn's own pages run at. */
  origins(): string[] {
    if (this.publicUrl) return [this.publicUrl.origin];
    return LOCAL_HOSTNAMES.map((name) => `http://${name}:${this.port()}`);
  }

  /**
   * An absolute link to `path` for people to open (invitation links): at the public
   * address, or, on a local install, at the host the request came to (it passed
   * {@link allowsHost}).
   */
  link(path: string, host: string | undefined): string {
    if (this.publicUrl) return new URL(path, this.publicUrl).href;
    return this.allowsHost(host) ? `http://${host}${path}` : `${this.origins()[0]}${path}`;
  }

  /** Whether a Host header names this server. */
  allowsHost(host: string | undefined): boolean {
    if (!host) return false;
    const parsed = parse(`${this.publicUrl?.protocol ?? 'http:'}//${host}`);
    // A Host with credentials, a path or a query in it is not a plain host: refuse it.
    if (!parsed || parsed.username || parsed.password || parsed.pathname !== '/' || parsed.search || parsed.hash) return false;
    return this.origins().includes(parsed.origin);
  }

  /**
   * Whether an Origin header names one of Cairn's own pages. Browsers send origins already
   * serialized (lowercase, no default port), so this is a plain comparison; `null`, which
   * sandboxed frames send, never matches.
   */
  allowsOrigin(origin: string): boolean {
    return this.origins().includes(origin);
  }
}

function parse(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
