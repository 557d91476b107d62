import { prefetchLastResults } from '$lib/notebook/run/result-list';
import type { PageLoad } from './$types';

// The notebook's last results are asked for while the page's code loads, so they paint sooner.
export const load: PageLoad = ({ params }) => {
  if (params.id) prefetchLastResults(params.id);
};
