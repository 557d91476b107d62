// The report author's page: rendered in the browser, like the app's other pages (the report
// page beside it is server-rendered for readers; this one is for the notebook's editors).
export const ssr = false;
