/**
 * Validate GitHub Actions workflow files with GitHub's own parser and schema
 * (@actions/workflow-parser). Run as a child process through tsx:
 *   node --import tsx deploy/tests/lib/workflow-check.ts FILE...
 * (the package imports its schema JSON without an import attribute, which Node 20 refuses when
 * Vitest loads it natively; tsx's loader accepts it). Prints {file: [errors]} as JSON.
 */
import { readFileSync } from 'node:fs'
import {
  NoOperationTraceWriter,
  convertWorkflowTemplate,
  parseWorkflow,
} from '@actions/workflow-parser'

const out: Record<string, string[]> = {}
for (const file of process.argv.slice(2)) {
  const r = parseWorkflow(
    { name: file, content: readFileSync(file, 'utf8') },
    new NoOperationTraceWriter(),
  )
  const errors = r.context.errors.getErrors().map((e) => e.message)
  if (r.value) {
    const t = await convertWorkflowTemplate(r.context, r.value)
    errors.push(...(t.errors ?? []).map((e: { Message: string }) => e.Message))
  }
  out[file] = [...new Set(errors)]
}
process.stdout.write(JSON.stringify(out))
