/** A live, read-only view of a Y.Map of plain values (a chart or input cell's config), as runes. */
import type * as Y from 'yjs';
import type { ConfigValue } from '$doc';

export class YMapState {
  values = $state.raw<Record<string, ConfigValue>>({});
  #map: Y.Map<ConfigValue>;
  #onChange = () => {
    this.values = this.#map.toJSON() as Record<string, ConfigValue>;
  };

  constructor(map: Y.Map<ConfigValue>) {
    this.#map = map;
    map.observe(this.#onChange);
    this.#onChange();
  }

  destroy(): void {
    this.#map.unobserve(this.#onChange);
  }
}
