/**
 * Serves the web console at `/`: the page, its script and its style. Open like /openapi.json (no
 * data: the console asks for a token and calls the /v1 routes with it, so it sees what the token may).
 */
import { Router } from 'express';
import { consoleAssets } from './console-assets.ts';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GPU Ledger</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console.css">
<script type="module" src="/console.js"></script>
</head>
<body><div id="app"></div></body>
</html>
`;

export function consoleRouter(onBuildError: (error: unknown) => void): Router {
  consoleAssets().catch(onBuildError); // build now, so the first page load does not wait for it
  const router = Router();
  router.get('/', (_req, res) => void res.type('html').send(PAGE));
  for (const [path, type, part] of [
    ['/console.js', 'text/javascript', 'js'],
    ['/console.css', 'text/css', 'css'],
  ] as const)
    router.get(path, (_req, res, next) => {
      consoleAssets().then(
        (assets) => void res.type(type).set('cache-control', 'no-cache').send(assets[part]),
        (error: unknown) => next(error),
      );
    });
  return router;
}
