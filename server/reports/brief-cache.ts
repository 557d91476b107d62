/**
 * A few seconds of memory in front of a store lookup that every report read makes (the
 * report by its slug, its cells' refresh errors): a crowd reading one report costs one
 * query per interval, not one per reader. Writes in this process clear it at once; another
 * process sharing the store sees them within {@link BriefCache.ttlMs}.
 */
export class BriefCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 10_000
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = load();
    // A failed lookup is not remembered.
    value.catch(() => this.entries.get(key)?.value === value && this.entries.delete(key));
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { at: Date.now(), value });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
