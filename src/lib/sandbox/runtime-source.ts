/**
 * The sandbox runtime's text: `runtime/main.ts` with apache-arrow, Plot and d3, bundled into
 * one classic script by vite.sandbox-runtime.ts (in dev and in a build alike). The host
 * fetches it from its own origin — a plain same-origin request, so the server needs no CORS
 * header — and hands it to each iframe, which runs it from a blob URL and starts its Worker
 * from the same URL.
 */
import runtimeUrl from 'virtual:cairn/sandbox-runtime';

let source: Promise<string> | null = null;

/** The runtime script, fetched once per page; start it early to save the first run's wait. */
export function loadSandboxRuntime(): Promise<string> {
  source ??= fetch(runtimeUrl).then(async (response) => {
    if (!response.ok) throw new Error(`sandbox runtime: ${response.status} for ${runtimeUrl}`);
    return response.text();
  });
  source.catch(() => (source = null));
  return source;
}
