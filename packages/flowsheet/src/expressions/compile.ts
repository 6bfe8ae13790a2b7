/**
 * Compiling formulas for the solver: dimensions checked, references to other expressions
 * inlined, so a compiled formula depends on property-value ids only and can be evaluated with
 * exact derivatives (dual numbers). See README.md in this folder.
 */
import { type Dim, formatDim, sameDim } from '@rere/units'
import {
  type Dual,
  type Node,
  evaluateAst,
  evaluateDual,
  expressionError,
  inferDim,
  parseFormula,
  refsOf,
} from './expressions.ts'

export interface CompiledFormula {
  text: string
  /** JSON path of the formula in the document (errors) */
  path: string
  /** AST with every expression reference inlined: refs are property-value ids only */
  ast: Node
  /** property-value ids the formula depends on, in gradient order */
  refs: number[]
  /** dimension of the result */
  dim: Dim
  /** pint spelling of the SI unit of the result ('kg/m/s**2', 'dimensionless') */
  unitSI: string
  /** value in SI; `get(id)` returns the SI value of property `id` */
  evaluate(get: (id: number) => number): number
  /** value and gradient w.r.t. `refs`; `values[k]` is the SI value of `refs[k]` */
  evaluateDual(values: ArrayLike<number>): Dual
}

export interface FormulaContext {
  /** dimension of a property-value id, undefined when no property has that id */
  dimOfProperty(id: number): Dim | undefined
  /** compiled top-level expressions by id (referenced as id_N) */
  expressions?: Map<number, CompiledFormula>
}

function inline(ast: Node, exprs: Map<number, CompiledFormula> | undefined): Node {
  if (!exprs || exprs.size === 0) return ast
  switch (ast.t) {
    case 'ref': {
      const e = exprs.get(ast.id)
      return e ? e.ast : ast
    }
    case 'neg':
      return { t: 'neg', a: inline(ast.a, exprs) }
    case 'bin':
      return { t: 'bin', op: ast.op, a: inline(ast.a, exprs), b: inline(ast.b, exprs) }
    case 'call':
      return { t: 'call', fn: ast.fn, args: ast.args.map((a) => inline(a, exprs)) }
    default:
      return ast
  }
}

function finish(text: string, path: string, ast: Node, dim: Dim): CompiledFormula {
  const refs = [...refsOf(ast)]
  const index = new Map(refs.map((id, k) => [id, k]))
  return {
    text,
    path,
    ast,
    refs,
    dim,
    unitSI: formatDim(dim),
    evaluate: (get) => evaluateAst(ast, get),
    evaluateDual: (values) => evaluateDual(ast, index, values),
  }
}

/** Compile one formula (a `constraint` or an expression) against known property dimensions. */
export function compileFormula(text: string, path: string, ctx: FormulaContext): CompiledFormula {
  return compileParsed(text, path, parseFormula(text, path), ctx)
}

function compileParsed(
  text: string,
  path: string,
  parsed: ReturnType<typeof parseFormula>,
  ctx: FormulaContext,
): CompiledFormula {
  const dimOf = (id: number): Dim | undefined =>
    ctx.expressions?.get(id)?.dim ?? ctx.dimOfProperty(id)
  const dim = inferDim(parsed.ast, parsed.unitDims, dimOf, path)
  return finish(text, path, inline(parsed.ast, ctx.expressions), dim)
}

/**
 * Compile the top-level `expressions[]` in dependency order (an expression may use another).
 * Cycles -> FLOWSHEET_BAD_EXPRESSION with details.cycle.
 */
export function compileExpressions(
  list: { id: number; expression: string; path: string }[],
  dimOfProperty: (id: number) => Dim | undefined,
): Map<number, CompiledFormula> {
  const byId = new Map(list.map((e) => [e.id, e]))
  const done = new Map<number, CompiledFormula>()
  const visiting: number[] = []
  const visit = (id: number): void => {
    if (done.has(id)) return
    const e = byId.get(id)
    if (!e) return
    if (visiting.includes(id)) {
      const cycle = [...visiting.slice(visiting.indexOf(id)), id]
      throw expressionError(
        `expressions refer to each other in a cycle (${cycle.map((c) => `id_${c}`).join(' -> ')})`,
        e.path,
        {
          cycle,
        },
      )
    }
    visiting.push(id)
    const parsed = parseFormula(e.expression, e.path)
    for (const r of refsOf(parsed.ast)) if (byId.has(r) && !dimOfProperty(r)) visit(r)
    visiting.pop()
    done.set(id, compileParsed(e.expression, e.path, parsed, { dimOfProperty, expressions: done }))
  }
  for (const e of list) visit(e.id)
  return done
}

/**
 * Check that a `constraint` formula has the dimension of the property it constrains.
 * @throws FLOWSHEET_BAD_EXPRESSION with details {path, expected, actual}
 */
export function checkConstraintDim(f: CompiledFormula, dim: Dim): void {
  if (!sameDim(f.dim, dim)) {
    throw expressionError(
      `the formula "${f.text}" is in ${f.unitSI}, the property in ${formatDim(dim)}`,
      f.path,
      {
        expected: formatDim(dim),
        actual: f.unitSI,
      },
    )
  }
}
