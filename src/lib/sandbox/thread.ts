/**
 * Which thread a cell runs on inside the sandbox. A Worker can be terminated the moment a
 * cell overruns; the iframe's page cannot (all sandboxed iframes share one renderer
 * process in Chromium, so a busy page blocks every sandbox until they are all torn down).
 * So only cells that may touch the DOM run on the page: those reading DOM globals or
 * importing Plot or d3 (which build SVG through `document`).
 */
import { jsDependencies } from '../../../kernels/graph/js-deps.js';
import { SANDBOX_IMPORTER, type SandboxThread } from './protocol.js';

/** Globals whose use means the cell wants a DOM. */
const DOM_GLOBALS = new Set([
  'document', 'window', 'Node', 'Element', 'HTMLElement', 'SVGElement', 'DOMParser', 'Image',
  'HTMLCanvasElement', 'getComputedStyle', 'requestAnimationFrame', 'customElements', 'html', 'svg'
]);
/** Libraries whose main use is building DOM. */
const DOM_MODULES = ['@observablehq/plot', 'd3'];

/** The thread for a cell body produced by `jsCellBody(source, {importer: SANDBOX_IMPORTER})`. */
export function chooseThread(body: string): SandboxThread {
  // The imports were rewritten by jsCellBody into calls with JSON-quoted specifiers.
  if (DOM_MODULES.some((m) => body.includes(`${SANDBOX_IMPORTER}(${JSON.stringify(m)}`))) return 'main';
  const deps = jsDependencies(body);
  if (!deps.ok) return 'main';
  return deps.globals.some((g) => DOM_GLOBALS.has(g)) || deps.inputs.some((g) => DOM_GLOBALS.has(g)) ? 'main' : 'worker';
}
