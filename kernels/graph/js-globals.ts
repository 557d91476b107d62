/**
 * Names a JS cell may read without depending on another cell: the ECMAScript built-ins and
 * the web platform globals a sandboxed iframe offers. The list is fixed rather than read
 * from `globalThis`, so the browser, the server and the tests all agree on a cell's inputs.
 *
 * Window properties with everyday names (`name`, `top`, `parent`, `status`, `length`,
 * `origin`, `event`, `open`, `close`, `print`, `find`, `stop`, …) are left out on purpose:
 * listing them would make a cell called `top` or `status` impossible to reference.
 */

const ECMASCRIPT = [
  'globalThis', 'Infinity', 'NaN', 'undefined', 'eval', 'isFinite', 'isNaN', 'parseFloat',
  'parseInt', 'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape',
  'unescape', 'Object', 'Function', 'Boolean', 'Symbol', 'Error', 'AggregateError',
  'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError',
  'SuppressedError', 'Number', 'BigInt', 'Math', 'Date', 'String', 'RegExp', 'Array',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
  'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array',
  'BigUint64Array', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry',
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Atomics', 'JSON', 'Promise', 'Reflect',
  'Proxy', 'Intl', 'Iterator', 'DisposableStack', 'AsyncDisposableStack',
  // Bound inside every non-arrow function, and at the top of the cell's own function body.
  'arguments'
];

const WEB = [
  'window', 'self', 'document', 'navigator', 'location', 'history', 'screen', 'console',
  'fetch', 'Request', 'Response', 'Headers', 'URL', 'URLSearchParams', 'AbortController',
  'AbortSignal', 'Blob', 'File', 'FileReader', 'FormData', 'TextEncoder', 'TextDecoder',
  'TextEncoderStream', 'TextDecoderStream', 'ReadableStream', 'WritableStream',
  'TransformStream', 'CompressionStream', 'DecompressionStream', 'setTimeout',
  'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'requestAnimationFrame',
  'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'structuredClone',
  'atob', 'btoa', 'crypto', 'performance', 'Event', 'EventTarget', 'CustomEvent',
  'MessageChannel', 'MessagePort', 'MessageEvent', 'BroadcastChannel', 'postMessage',
  'Worker', 'WebSocket', 'XMLHttpRequest', 'DOMParser', 'XMLSerializer', 'Image',
  'ImageData', 'ImageBitmap', 'createImageBitmap', 'OffscreenCanvas', 'Path2D', 'Node',
  'Element', 'HTMLElement', 'SVGElement', 'Document', 'DocumentFragment', 'Text',
  'MutationObserver', 'ResizeObserver', 'IntersectionObserver', 'getComputedStyle',
  'matchMedia', 'devicePixelRatio', 'innerWidth', 'innerHeight', 'localStorage',
  'sessionStorage', 'indexedDB', 'caches', 'alert', 'confirm', 'prompt', 'reportError',
  'Intl', 'WebAssembly', 'CSS', 'FontFace', 'Option', 'Audio'
];

/** Every name {@link isJsGlobal} accepts. */
export const JS_GLOBALS: ReadonlySet<string> = new Set([...ECMASCRIPT, ...WEB]);

/** True when `name` is a JS or web global, so reading it is not an input. */
export function isJsGlobal(name: string): boolean {
  return JS_GLOBALS.has(name);
}
