/**
 * The sandbox iframe's document, which the server serves at {@link SANDBOX_PATH} with its
 * own Content Security Policy (server/http/routes/sandbox.ts). It is a URL rather than a
 * `srcdoc` because a `srcdoc` document inherits the app page's policy: cells need
 * `eval` (`new AsyncFunction`) and modules from https URLs, which the app page must never
 * allow. Pure strings, imported by the browser and the server alike.
 */

/** Where the sandbox document is served; same-origin, but the iframe's sandbox makes its origin opaque. */
export const SANDBOX_PATH = '/sandbox.html';

/**
 * The document's one inline script: it asks the host for the runtime, runs it from a blob
 * URL (the same URL later starts the Worker). Its hash goes into the document's policy.
 */
export const SANDBOX_BOOT_SCRIPT = `
addEventListener('message', function boot(event) {
  if (event.source !== parent || !event.data || event.data.cairn !== 1 || event.data.type !== 'runtime') return;
  removeEventListener('message', boot);
  var url = URL.createObjectURL(new Blob([event.data.source], { type: 'text/javascript' }));
  self.__cairnRuntimeUrl = url;
  var script = document.createElement('script');
  script.src = url;
  document.head.appendChild(script);
});
parent.postMessage({ cairn: 1, type: 'boot' }, '*');
`;

/** The whole document; a cell's DOM output is shown in #out. */
export const SANDBOX_DOCUMENT = `<!doctype html><html><head><meta charset="utf-8"><style>
html,body{margin:0;padding:0;background:transparent;font:14px/1.45 system-ui,sans-serif;overflow:hidden}
#out{display:flow-root;padding:2px 0}#out>svg,#out>figure{max-width:100%;height:auto}
</style></head><body><div id="out"></div><script>${SANDBOX_BOOT_SCRIPT}</` + `script></body></html>`;
