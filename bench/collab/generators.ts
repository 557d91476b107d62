/** The orchestrator's handle on one load-generator process (editor.ts, forked with IPC). */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromGenerator, ToGenerator } from './ipc.js';

type Reply<T extends FromGenerator['type']> = Extract<FromGenerator, { type: T }>;

export class Generator {
  private readonly child: ChildProcess;
  private readonly waiting: { type: FromGenerator['type']; resolve(m: FromGenerator): void; reject(err: Error): void }[] = [];
  private failure: Error | null = null;

  constructor() {
    const file = fileURLToPath(new URL('./editor.ts', import.meta.url));
    // Advanced serialization carries the Float64Arrays of the report as they are.
    this.child = fork(file, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: FromGenerator) => {
      if (message.type === 'error') return this.fail(new Error(`load generator failed: ${message.message}`));
      const i = this.waiting.findIndex((w) => w.type === message.type);
      if (i >= 0) this.waiting.splice(i, 1)[0].resolve(message);
    });
    this.child.once('exit', (code, signal) => this.fail(new Error(`load generator exited (${code ?? signal})`)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  tell(message: ToGenerator): void {
    if (this.failure) throw this.failure;
    this.child.send(message);
  }

  request<T extends FromGenerator['type']>(message: ToGenerator, reply: T, timeoutMs = 60_000): Promise<Reply<T>> {
    return new Promise<Reply<T>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load generator: no ${reply} in ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push({
        type: reply,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Reply<T>);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        }
      });
      this.tell(message);
    });
  }

  /** Disconnect; the process closes its sockets and exits. */
  close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.failure = new Error('closed');
      if (this.child.connected) this.child.disconnect();
      else this.child.kill('SIGTERM');
    });
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }
}
