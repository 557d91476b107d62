/**
 * The sandboxes of a notebook's JS cells, one per cell, each inside its cell's output area.
 * The output component attaches the container when it mounts; a run waits for it, since an
 * iframe moved in the DOM reloads and would lose its state.
 */
import { createSandbox, type Sandbox } from '$lib/sandbox';

export class Sandboxes {
  private readonly containers = new Map<string, HTMLElement>();
  private readonly waiting = new Map<string, ((container: HTMLElement) => void)[]>();
  private readonly sandboxes = new Map<string, Sandbox>();

  /** @param onReset called with a cell whose sandbox was torn down by another's lock-up, to re-run it */
  constructor(private readonly onReset: (cellId: string) => void) {}

  /** The output area of cell `cellId` mounted: its sandbox lives in `container`. Returns the detach function. */
  attach(cellId: string, container: HTMLElement): () => void {
    this.containers.set(cellId, container);
    for (const resolve of this.waiting.get(cellId) ?? []) resolve(container);
    this.waiting.delete(cellId);
    return () => {
      if (this.containers.get(cellId) !== container) return;
      this.containers.delete(cellId);
      this.sandboxes.get(cellId)?.dispose();
      this.sandboxes.delete(cellId);
    };
  }

  /** The sandbox of cell `cellId`, created in its output area on first use. */
  async get(cellId: string): Promise<Sandbox> {
    const existing = this.sandboxes.get(cellId);
    if (existing) return existing;
    const container = this.containers.get(cellId) ?? (await new Promise<HTMLElement>((resolve) => this.waiting.set(cellId, [...(this.waiting.get(cellId) ?? []), resolve])));
    const again = this.sandboxes.get(cellId);
    if (again) return again;
    const sandbox = createSandbox(container, { onReset: () => this.onReset(cellId) });
    this.sandboxes.set(cellId, sandbox);
    return sandbox;
  }

  dispose(): void {
    for (const sandbox of this.sandboxes.values()) sandbox.dispose();
    this.sandboxes.clear();
    this.containers.clear();
    this.waiting.clear();
  }
}
