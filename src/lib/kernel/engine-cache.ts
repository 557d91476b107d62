/**
 * The engine's big file (DuckDB's 34 MB wasm) kept in Cache Storage, so a repeat visit
 * never downloads it again even where the HTTP cache drops entries this big (Chromium
 * evicts or skips multi-megabyte entries under pressure). Asset URLs carry the build's
 * content hash, so a URL is a version: a hit is always the right bytes, and entries of
 * other versions are deleted once the current one is stored. Without Cache Storage (a
 * page served over plain http from another host) it comes from the network.
 */

/** The Cache Storage cache that holds the engine's files. */
export const ENGINE_CACHE = 'cairn-engine';

/**
 * The bytes of `url`, typed `type`: from Cache Storage, else downloaded and stored there.
 * `current` lists every URL this build uses, so older versions can be dropped.
 */
export async function engineFile(url: string, type: string, current: readonly string[]): Promise<Blob> {
  const cache = await openCache();
  const href = new URL(url, location.href).href;
  const hit = await cache?.match(href).catch(() => undefined);
  if (hit) return typed(await hit.blob(), type);
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`Could not download the SQL engine (${url}): the server answered ${res.status}`);
  if (cache) {
    // Stored while the page reads the other copy; a failed store (quota) only costs the next visit a download.
    cache.put(href, res.clone()).then(
      () => prune(cache, current),
      (e: unknown) => console.warn(`Could not keep ${url} for the next visit`, e)
    );
  }
  return typed(await res.blob(), type);
}

async function openCache(): Promise<Cache | null> {
  if (typeof caches === 'undefined') return null;
  try {
    return await caches.open(ENGINE_CACHE);
  } catch (e) {
    // Storage can be refused (private windows, disabled site data): the network still works.
    console.warn('Cache Storage is not available; the engine downloads on every visit', e);
    return null;
  }
}

/** Drop entries of builds that are not this one. */
async function prune(cache: Cache, current: readonly string[]): Promise<void> {
  const keep = new Set(current.map((u) => new URL(u, location.href).href));
  for (const request of await cache.keys()) if (!keep.has(request.url)) await cache.delete(request);
}

function typed(blob: Blob, type: string): Blob {
  return blob.type === type ? blob : new Blob([blob], { type });
}
