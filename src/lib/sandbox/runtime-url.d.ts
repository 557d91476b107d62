// Built by vite.sandbox-runtime.ts: the URL of the sandbox runtime bundle ('' in the server render).
declare module 'virtual:cairn/sandbox-runtime' {
  const url: string;
  export default url;
}
