/** JS cells in an opaque-origin sandbox iframe: the host API, the value types, and the inspector. */
export { createSandbox, sandboxValueToJs, SandboxError, DEFAULT_TIMEOUT_MS, type Sandbox, type SandboxOptions, type SandboxRunOptions, type SandboxResult, type SandboxErrorKind } from './sandbox.js';
export { loadSandboxRuntime } from './runtime-source.js';
export { chooseThread } from './thread.js';
export { SANDBOX_IMPORTER, SANDBOX_MODULES, OPAQUE_KEY, type SandboxValue, type SandboxColumn, type SandboxConsoleEntry, type SandboxErrorInfo, type SandboxThread } from './protocol.js';
export { default as ValueInspector } from './ValueInspector.svelte';
export { default as RunTimer } from './RunTimer.svelte';
