import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { createTestStore, startInProcess, type RunningServer, type TestStore } from '../support/server.js';
import { SAMPLES, findSample, sampleUrl } from '../../kernels/samples.js';

describe('bundled samples', () => {
  let store: TestStore;
  let srv: RunningServer;
  beforeAll(async () => {
    store = await createTestStore('embedded');
    srv = await startInProcess(store);
  });
  afterAll(async () => {
    await srv?.close();
    await store?.dispose();
  });

  it('names every sample after its file with - as _', () => {
    for (const s of SAMPLES) expect(s.name).toBe(s.file.replace(/\.[a-z]+$/, '').replace(/-/g, '_'));
    expect(SAMPLES.map((s) => s.name)).toEqual(['flights_200k', 'flights_3m', 'airports', 'seattle_weather', 'penguins', 'cars']);
    expect(findSample('AIRPORTS')?.file).toBe('airports.csv');
  });

  it('serves the real files, without a session', async () => {
    const csv = await fetch(srv.base + sampleUrl(findSample('airports')!));
    expect(csv.status).toBe(200);
    expect((await csv.text()).split('\n')[0]).toBe('iata,name,city,state,country,latitude,longitude');
    const arrow = await fetch(srv.base + sampleUrl(findSample('flights_200k')!));
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    expect(table.numRows).toBe(200000);
    expect(table.schema.fields.map((f) => f.name).sort()).toEqual(['delay', 'distance', 'time']);
  });

  it('serves nothing else from the package', async () => {
    expect((await fetch(`${srv.base}/samples/package.json`)).status).toBe(404);
    expect((await fetch(`${srv.base}/samples/..%2Fpackage.json`)).status).toBe(404);
  });
});
