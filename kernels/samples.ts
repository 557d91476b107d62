/**
 * The bundled samples (real files from the `vega-datasets` package): every DuckDB engine,
 * in the browser and on the server, has them as tables under these names (README.md).
 */

/** How a sample's bytes are read into a table. */
export type SampleFormat = 'arrow' | 'parquet' | 'csv' | 'json';

export interface Sample {
  /** The table name: the file name with `-` as `_`. */
  name: string;
  /** The file under vega-datasets' `data/` folder. */
  file: string;
  format: SampleFormat;
  /** What the table holds, for the schema browser. */
  description: string;
}

export const SAMPLES: readonly Sample[] = [
  { name: 'flights_200k', file: 'flights-200k.arrow', format: 'arrow', description: '200,000 US flights: departure time (hour), delay (min), distance (mi)' },
  { name: 'flights_3m', file: 'flights-3m.parquet', format: 'parquet', description: '3 million US flights in 2001: date, delay, distance, origin, destination' },
  { name: 'airports', file: 'airports.csv', format: 'csv', description: 'US airports: IATA code, name, city, state, country, latitude, longitude' },
  { name: 'seattle_weather', file: 'seattle-weather.csv', format: 'csv', description: 'Daily Seattle weather 2012–2015: precipitation, temperatures, wind, weather' },
  { name: 'penguins', file: 'penguins.json', format: 'json', description: 'Palmer penguins: species, island, bill and flipper sizes, body mass, sex' },
  { name: 'cars', file: 'cars.json', format: 'json', description: 'Cars from the 1970s and 80s: miles per gallon, cylinders, horsepower, weight, origin' }
];

/** The sample named `name` (table names are case-insensitive, as in DuckDB), or undefined. */
export function findSample(name: string): Sample | undefined {
  const lower = name.toLowerCase();
  return SAMPLES.find((s) => s.name === lower);
}

/** The URL path the Cairn server serves a sample's bytes at. */
export function sampleUrl(sample: Sample): string {
  return `/samples/${sample.file}`;
}
