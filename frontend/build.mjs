// Bundle frontend/src into the Django app's static folder: src/paperex/apps/web/static/web/.
import * as esbuild from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(root, "../src/paperex/apps/web/static/web");
mkdirSync(outdir, { recursive: true });

const options = {
  entryPoints: { app: resolve(root, "src/main.js") },
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: !process.argv.includes("--dev"),
  sourcemap: true,
  outdir,
  legalComments: "linked",
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const context = await esbuild.context({ ...options, minify: false });
  await context.watch();
} else {
  await esbuild.build(options);
}
