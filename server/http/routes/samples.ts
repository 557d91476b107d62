/**
 * `GET /samples/:file`: the bundled sample files, straight from the installed
 * `vega-datasets` package (no copy in the repository, no download at run time). Public:
 * they are open data, and published reports read them too.
 */
import { createReadStream, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Router } from '../router.js';
import { HttpError } from '../errors.js';
import { allow } from '../../access/rules.js';
import { SAMPLES } from '../../../kernels/samples.js';

const TYPES: Record<string, string> = {
  arrow: 'application/vnd.apache.arrow.file',
  parquet: 'application/vnd.apache.parquet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8'
};

/** The folder holding the sample files. */
export function samplesDir(): string {
  // The package exports only its JS entry (build/index.js); data/ sits beside build/.
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('vega-datasets')), '..', 'data');
}

export function sampleRoutes(router: Router): void {
  const dir = samplesDir();
  router.add('GET', '/samples/:file', allow.public('open data from the vega-datasets package'), async ({ res, params }) => {
    const sample = SAMPLES.find((s) => s.file === params.file);
    if (!sample) throw new HttpError(404, 'not_found', `No sample file ${params.file}.`);
    const path = join(dir, sample.file);
    res.writeHead(200, {
      'content-type': TYPES[sample.format],
      'content-length': String(statSync(path).size),
      'cache-control': 'public, max-age=86400'
    });
    createReadStream(path).pipe(res);
  });
}
