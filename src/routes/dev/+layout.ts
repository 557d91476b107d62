/**
 * Pages under /dev host components for end-to-end tests and benchmarks. They hold no data,
 * but a product should not ship test pages: they exist only when the server was started
 * with PUBLIC_CAIRN_DEV_PAGES=1 (the tests and benchmarks do that).
 */
import { error } from '@sveltejs/kit';
import { env } from '$env/dynamic/public';

export const load = () => {
  if (env.PUBLIC_CAIRN_DEV_PAGES !== '1') error(404, 'Not found');
};
