/**
 * One Server-Sent Events response: `data:` lines of JSON, a comment line as a heartbeat
 * (so proxies and the browser keep an idle stream open, and a dead client is noticed),
 * and a clean end. The browser's EventSource reconnects after a dropped stream by itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface EventStreamOptions {
  /** How often a heartbeat goes out on an idle stream. */
  heartbeatMs: number;
  /** Called at every heartbeat; resolving false ends the stream (the reader lost access). */
  stillValid?: () => Promise<boolean>;
  /** Called once when the stream ends, whoever ended it. */
  onEnd: () => void;
}

/** The wait the browser leaves before reconnecting a dropped stream. */
const RETRY_MS = 3000;

export class EventStream {
  private ended = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly options: EventStreamOptions
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Proxies that buffer responses (nginx) would hold events back.
      'x-accel-buffering': 'no'
    });
    res.write(`retry: ${RETRY_MS}\n: open\n\n`);
    this.timer = setInterval(() => void this.beat(), options.heartbeatMs);
    this.timer.unref();
    // The response's close, not the request's: that one fires once a body is read.
    res.on('close', () => this.end());
    res.on('error', () => this.end());
    // Gone before the stream was set up: no close event is coming to end it.
    if (res.destroyed || req.socket.destroyed) setImmediate(() => this.end());
  }

  /** Send one event as a JSON `data:` line. */
  send(event: object): void {
    if (this.ended) return;
    this.res.write(`data: ${JSON.stringify(event)}\n\n`);
  }

  /**
   * End the stream. With `reason`, a last `end` event says why first, so a client knows
   * not to reconnect (its reconnect would be refused anyway).
   */
  end(reason?: string): void {
    if (this.ended) return;
    if (reason && !this.res.writableEnded) this.res.write(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
    this.ended = true;
    clearInterval(this.timer);
    if (!this.res.writableEnded) this.res.end();
    this.options.onEnd();
  }

  private async beat(): Promise<void> {
    if (this.ended) return;
    const valid = this.options.stillValid ? await this.options.stillValid().catch(() => false) : true;
    if (!valid) return this.end('your access to this notebook was removed');
    this.res.write(': heartbeat\n\n');
  }
}
