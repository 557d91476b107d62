/**
 * `GET /samples/:file`: the bundled sample files, straight from the installed
 * `vega-datasets` package (no copy in the repository, no download at run time). Public:
 * they are open data, and published reports read them too.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Router } from '../router.js';
import { HttpError } from '../errors.js';
import { allow } from '../../access/rules.js';
import { SAMPLES } from '../../../kernels/samples.js';
import { EncodedFiles, chooseEncoding, type Encoding } from '../content-encoding.js';

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
  // The samples are small (the biggest compressible one, flights-200k.arrow, is 1.6 MB and
  // 0.5 MB as Brotli) and never change while the server runs: compressed once, then kept.
  const files = new EncodedFiles();
  router.add('GET', '/samples/:file', allow.public('open data from the vega-datasets package'), async ({ req, res, params }) => {
    const sample = SAMPLES.find((s) => s.file === params.file);
    if (!sample) throw new HttpError(404, 'not_found', `No sample file ${params.file}.`);
    // Parquet is compressed inside; compressing it again saves nothing.
    const file = await files.get(join(dir, sample.file), sample.format !== 'parquet');
    const available = (['br', 'gzip'] as const).filter((e) => file[e]);
    const encoding: Encoding | null = chooseEncoding(req.headers['accept-encoding'], available);
    const body = encoding ? file[encoding]! : file.identity;
    res.writeHead(200, {
      'content-type': TYPES[sample.format],
      'content-length': String(body.length),
      ...(encoding ? { 'content-encoding': encoding } : {}),
      vary: 'accept-encoding',
      'cache-control': 'public, max-age=86400'
    });
    res.end(body);
  });
}
