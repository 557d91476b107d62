// A report is rendered on the server, so its text and numbers are in the HTML before any
// script runs; the browser then hydrates it (inputs, charts) without any WebAssembly.
import { loadReport } from '$lib/report/load';
import type { PageLoad } from './$types';

export const ssr = true;

export const load: PageLoad = async ({ fetch, params, url }) => ({ page: await loadReport(fetch, params.slug, url.search) });
