// Injected before page/main.js only where the origin opts in to watching workers (watchWorkerOrigins): page/reach.js then starts them from the bootstrap (classic script).
(function (ns) {
  "use strict";
  ns.watchWorkers = true;
})(globalThis.__uccWebhooks || (globalThis.__uccWebhooks = {}));
