/**
 * Worker threads load the solver as ONE pre-bundled ES module, built with esbuild when the pool
 * starts. Loading the TypeScript sources through tsx in every worker took seconds (hundreds of
 * modules resolved through loader hooks); the bundle loads in tens of milliseconds.
 *
 * `import.meta.url` in the project's own sources is replaced by the original file's URL, so data
 * files read relative to a module (the thermo coefficients) are found where they are.
 */
import { build, type Plugin } from 'esbuild'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const keepModuleUrls: Plugin = {
  name: 'keep-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      if (args.path.includes('node_modules')) return undefined
      const text = readFileSync(args.path, 'utf8')
      if (!text.includes('import.meta.url')) return undefined
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      }
    })
  },
}

export interface WorkerBundle {
  /** file URL of the bundled worker module */
  url: string
  /** remove the bundle's temporary folder */
  dispose(): void
}

export async function buildWorkerBundle(): Promise<WorkerBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'rere-solver-worker-'))
  const outfile = join(dir, 'worker.mjs')
  await build({
    entryPoints: [fileURLToPath(new URL('./worker-entry.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    plugins: [keepModuleUrls],
    logLevel: 'error',
    // CommonJS dependencies inside an ES module bundle need a require()
    banner: {
      js: "import { createRequire as __rereCreateRequire } from 'node:module'; const require = __rereCreateRequire(import.meta.url);",
    },
  })
  return {
    url: pathToFileURL(outfile).href,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  }
}
