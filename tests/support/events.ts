/** A Server-Sent Events reader for Node tests: `GET /api/notebooks/:id/events` as a browser's EventSource reads it. */

export interface EventReader {
  /** HTTP status of the answer. */
  status: number;
  /** The `data:` events received so far, parsed. */
  events: Record<string, unknown>[];
  /** The reason of the closing `end` event, if one came. */
  endReason: string | null;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openEvents(base: string, notebookId: string, token: string): Promise<EventReader> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/notebooks/${notebookId}/events`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  const reader: EventReader = { status: res.status, events: [], endReason: null, ended: Promise.resolve(), close: () => abort.abort() };
  if (!res.ok || !res.body) {
    await res.arrayBuffer().catch(() => undefined);
    return reader;
  }
  const body = res.body;
  reader.ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const lines = block.split('\n');
          const name = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
          const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (!data) continue;
          if (name === 'end') reader.endReason = (JSON.parse(data) as { reason: string }).reason;
          else reader.events.push(JSON.parse(data) as Record<string, unknown>);
        }
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err;
    }
  })();
  return reader;
}
