// Stands in for Node-only packages that fengari `require`s on paths a browser never takes (`tmp`, `readline-sync`):
// see vite.config.ts.
export default {};
