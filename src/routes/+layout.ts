// Pages are rendered in the browser and fetch the API; the server only serves the shell.
export const ssr = false;
