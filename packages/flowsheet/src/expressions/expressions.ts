/**
 * Unit-aware formulas of the Ahuora wire format: `constraint` strings on property values and the
 * top-level `expressions[]`, e.g. `sqrt(id_130 ^ 2)`, `id_124 + 100 * Pa + 1 * kPa`, `$ / id_131`.
 *
 * Grammar (precedence low -> high):
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := atom (('^' | '**') unary)?          (right-associative)
 *   atom    := number | id_N | unit name | fn '(' sum (',' sum)* ')' | '(' sum ')'
 * Functions: sqrt, exp, log (natural), log10, abs, min, max.
 * Unit names (`kg`, `Pa`, `kPa`, `$`, `delta_degC` ...) are quantities of 1 in that unit:
 * `101.325 * kPa` is 101325 Pa. Units with an offset (`degC`, `degF`) are refused, as upstream
 * does; `time` and `t` are the time index (0 in steady state), as upstream.
 *
 * Everything is SI. Compiling checks dimensions (`+`/`-` need equal dimensions, exponents of a
 * dimensional base must be constant numbers) and infers the result's dimension, which the reply
 * prints in pint's base-unit spelling (`kg/m/s**2`).
 */
import { AppError } from '@rere/contract'
import {
  DIMENSIONLESS,
  type Dim,
  formatDim,
  isDimensionless,
  mulDim,
  parseUnit,
  powDim,
  sameDim,
} from '@rere/units'

export type Node =
  | { t: 'num'; v: number }
  | { t: 'ref'; id: number }
  | { t: 'neg'; a: Node }
  | { t: 'bin'; op: '+' | '-' | '*' | '/' | '^'; a: Node; b: Node }
  | { t: 'call'; fn: FnName; args: Node[] }

type FnName = 'sqrt' | 'exp' | 'log' | 'log10' | 'abs' | 'min' | 'max'
const FNS: Record<FnName, number> = { sqrt: 1, exp: 1, log: 1, log10: 1, abs: 1, min: 2, max: 2 }

export function expressionError(
  message: string,
  path: string,
  extra: Record<string, unknown> = {},
): AppError {
  return new AppError('FLOWSHEET_BAD_EXPRESSION', `${message} at ${path}`, {
    details: { path, ...extra },
  })
}

interface Tok {
  k: 'num' | 'id' | 'op' | '(' | ')' | ',' | 'end'
  s: string
  pos: number
}

function tokenize(src: string, path: string): Tok[] {
  const out: Tok[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i] as string
    if (/\s/.test(c)) {
      i++
      continue
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(src.slice(i))
    if (num) {
      out.push({ k: 'num', s: num[0], pos: i })
      i += num[0].length
      continue
    }
    const id = /^(?:[A-Za-z_][A-Za-z0-9_]*|\$|%)/.exec(src.slice(i))
    if (id) {
      out.push({ k: 'id', s: id[0], pos: i })
      i += id[0].length
      continue
    }
    if (src.startsWith('**', i)) {
      out.push({ k: 'op', s: '^', pos: i })
      i += 2
      continue
    }
    if ('+-*/^'.includes(c)) {
      out.push({ k: 'op', s: c, pos: i })
      i++
      continue
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ k: c, s: c, pos: i })
      i++
      continue
    }
    throw expressionError(`unexpected character "${c}" in formula "${src}"`, path, { position: i })
  }
  out.push({ k: 'end', s: '', pos: src.length })
  return out
}

/** Parse a formula into an AST (unit names become SI numbers times... see `unitNode`). */
export function parseFormula(src: string, path: string): { ast: Node; unitDims: Map<Node, Dim> } {
  if (typeof src !== 'string' || src.trim() === '') throw expressionError('empty formula', path)
  if (src.length > 2000) throw expressionError('formula too long', path)
  const toks = tokenize(src, path)
  const unitDims = new Map<Node, Dim>()
  let k = 0
  const peek = () => toks[k] as Tok
  const next = () => toks[k++] as Tok
  const fail = (msg: string, tok: Tok): never => {
    throw expressionError(`${msg} in formula "${src}"`, path, { position: tok.pos })
  }
  let depth = 0

  function sum(): Node {
    let a = product()
    while (peek().k === 'op' && (peek().s === '+' || peek().s === '-')) {
      const op = next().s as '+' | '-'
      a = { t: 'bin', op, a, b: product() }
    }
    return a
  }
  function product(): Node {
    let a = unary()
    while (peek().k === 'op' && (peek().s === '*' || peek().s === '/')) {
      const op = next().s as '*' | '/'
      a = { t: 'bin', op, a, b: unary() }
    }
    return a
  }
  function unary(): Node {
    if (peek().k === 'op' && (peek().s === '-' || peek().s === '+')) {
      const op = next().s
      if (++depth > 200) fail('formula nested too deeply', peek())
      const a = unary()
      depth--
      return op === '-' ? { t: 'neg', a } : a
    }
    return power()
  }
  function power(): Node {
    const a = atom()
    if (peek().k === 'op' && peek().s === '^') {
      next()
      if (++depth > 200) fail('formula nested too deeply', peek())
      const b = unary()
      depth--
      return { t: 'bin', op: '^', a, b }
    }
    return a
  }
  function atom(): Node {
    const tok = next()
    if (tok.k === 'num') return { t: 'num', v: Number(tok.s) }
    if (tok.k === '(') {
      if (++depth > 200) fail('formula nested too deeply', tok)
      const e = sum()
      depth--
      if (next().k !== ')') fail('missing ")"', tok)
      return e
    }
    if (tok.k === 'id') {
      const ref = /^id_(\d+)$/.exec(tok.s)
      if (ref) return { t: 'ref', id: Number(ref[1]) }
      if (tok.s in FNS && peek().k === '(') {
        next()
        const args: Node[] = [sum()]
        while (peek().k === ',') {
          next()
          args.push(sum())
        }
        if (next().k !== ')') fail(`missing ")" after the arguments of ${tok.s}`, tok)
        const fn = tok.s as FnName
        if (args.length !== FNS[fn]) fail(`${fn} takes ${FNS[fn]} argument(s)`, tok)
        return { t: 'call', fn, args }
      }
      // the time index (upstream's `time` / `t`): steady state, 0
      if (tok.s === 'time' || tok.s === 't') return { t: 'num', v: 0 }
      // a unit name: a quantity of 1 in that unit, in SI
      let u
      try {
        u = parseUnit(tok.s === '%' ? 'percent' : tok.s)
      } catch {
        return fail(`unknown name "${tok.s}" (not id_N, a function or a unit)`, tok)
      }
      if (u.hasOffset) {
        fail(`${tok.s} has an offset: use K or delta_degC / delta_degF in formulas`, tok)
      }
      const node: Node = { t: 'num', v: u.factor }
      unitDims.set(node, u.dim)
      return node
    }
    return fail(tok.k === 'end' ? 'unexpected end' : `unexpected "${tok.s}"`, tok)
  }

  const ast = sum()
  if (peek().k !== 'end') fail(`unexpected "${peek().s}"`, peek())
  return { ast, unitDims }
}

/** Collect the ids referenced by an AST. */
export function refsOf(ast: Node, out = new Set<number>()): Set<number> {
  switch (ast.t) {
    case 'ref':
      out.add(ast.id)
      break
    case 'neg':
      refsOf(ast.a, out)
      break
    case 'bin':
      refsOf(ast.a, out)
      refsOf(ast.b, out)
      break
    case 'call':
      for (const a of ast.args) refsOf(a, out)
      break
    default:
      break
  }
  return out
}

/** Constant value of a sub-tree without references, or undefined. */
function constValue(n: Node): number | undefined {
  if (refsOf(n).size > 0) return undefined
  return evaluateAst(n, () => 0)
}

/**
 * Infer the dimension of an AST; `dimOf(id)` gives the dimension of a referenced property
 * (undefined = unknown id -> FLOWSHEET_BAD_EXPRESSION).
 */
export function inferDim(
  ast: Node,
  unitDims: Map<Node, Dim>,
  dimOf: (id: number) => Dim | undefined,
  path: string,
): Dim {
  const rec = (n: Node): Dim => {
    switch (n.t) {
      case 'num':
        return unitDims.get(n) ?? DIMENSIONLESS
      case 'ref': {
        const d = dimOf(n.id)
        if (!d)
          throw expressionError(`id_${n.id} refers to no property or expression`, path, {
            reference: n.id,
          })
        return d
      }
      case 'neg':
        return rec(n.a)
      case 'bin': {
        const a = rec(n.a)
        const b = rec(n.b)
        if (n.op === '+' || n.op === '-') {
          if (!sameDim(a, b)) {
            throw expressionError(
              `cannot ${n.op === '+' ? 'add' : 'subtract'} ${formatDim(b)} and ${formatDim(a)}`,
              path,
              {
                left: formatDim(a),
                right: formatDim(b),
              },
            )
          }
          return a
        }
        if (n.op === '*') return mulDim(a, b)
        if (n.op === '/') return mulDim(a, b, -1)
        // ^
        if (!isDimensionless(b)) throw expressionError('an exponent must be dimensionless', path)
        if (isDimensionless(a)) return DIMENSIONLESS
        const e = constValue(n.b)
        if (e === undefined) {
          throw expressionError('the exponent of a quantity with units must be a constant', path)
        }
        return powDim(a, e)
      }
      case 'call': {
        const ds = n.args.map(rec)
        const d0 = ds[0] ?? DIMENSIONLESS
        if (n.fn === 'sqrt') return powDim(d0, 0.5)
        if (n.fn === 'abs') return d0
        if (n.fn === 'min' || n.fn === 'max') {
          if (!sameDim(d0, ds[1] ?? DIMENSIONLESS))
            throw expressionError(`${n.fn} of quantities of different units`, path)
          return d0
        }
        if (!isDimensionless(d0))
          throw expressionError(`${n.fn} needs a dimensionless argument`, path)
        return DIMENSIONLESS
      }
    }
  }
  return rec(ast)
}

/** Plain evaluation; `get(id)` returns the SI value of a referenced id. */
export function evaluateAst(n: Node, get: (id: number) => number): number {
  switch (n.t) {
    case 'num':
      return n.v
    case 'ref':
      return get(n.id)
    case 'neg':
      return -evaluateAst(n.a, get)
    case 'bin': {
      const a = evaluateAst(n.a, get)
      const b = evaluateAst(n.b, get)
      switch (n.op) {
        case '+':
          return a + b
        case '-':
          return a - b
        case '*':
          return a * b
        case '/':
          return a / b
        case '^':
          return Math.pow(a, b)
      }
      break
    }
    case 'call': {
      const v = n.args.map((x) => evaluateAst(x, get))
      const [x = 0, y = 0] = v
      switch (n.fn) {
        case 'sqrt':
          return Math.sqrt(x)
        case 'exp':
          return Math.exp(x)
        case 'log':
          return Math.log(x)
        case 'log10':
          return Math.log10(x)
        case 'abs':
          return Math.abs(x)
        case 'min':
          return Math.min(x, y)
        case 'max':
          return Math.max(x, y)
      }
    }
  }
  return Number.NaN
}

/** A dual number: value and gradient w.r.t. the compiled formula's `refs` (same order). */
export interface Dual {
  v: number
  g: Float64Array
}

/**
 * Forward-mode evaluation. `values[k]` is the SI value of `refs[k]`; returns the value and the
 * gradient (d value / d values[k]). Non-differentiable points (abs at 0, min/max ties) take
 * the left branch.
 */
export function evaluateDual(
  n: Node,
  refIndex: Map<number, number>,
  values: ArrayLike<number>,
): Dual {
  const m = values.length
  const rec = (x: Node): Dual => {
    switch (x.t) {
      case 'num':
        return { v: x.v, g: new Float64Array(m) }
      case 'ref': {
        const k = refIndex.get(x.id) ?? -1
        const g = new Float64Array(m)
        if (k >= 0) g[k] = 1
        return { v: k >= 0 ? (values[k] as number) : Number.NaN, g }
      }
      case 'neg': {
        const a = rec(x.a)
        return { v: -a.v, g: a.g.map((z) => -z) }
      }
      case 'bin': {
        const a = rec(x.a)
        const b = rec(x.b)
        const g = new Float64Array(m)
        let v: number
        switch (x.op) {
          case '+':
            v = a.v + b.v
            for (let i = 0; i < m; i++) g[i] = (a.g[i] as number) + (b.g[i] as number)
            break
          case '-':
            v = a.v - b.v
            for (let i = 0; i < m; i++) g[i] = (a.g[i] as number) - (b.g[i] as number)
            break
          case '*':
            v = a.v * b.v
            for (let i = 0; i < m; i++) g[i] = (a.g[i] as number) * b.v + a.v * (b.g[i] as number)
            break
          case '/':
            v = a.v / b.v
            for (let i = 0; i < m; i++)
              g[i] = ((a.g[i] as number) * b.v - a.v * (b.g[i] as number)) / (b.v * b.v)
            break
          case '^': {
            v = Math.pow(a.v, b.v)
            const da = a.v === 0 ? (b.v === 1 ? 1 : b.v > 1 ? 0 : Number.NaN) : (b.v * v) / a.v
            const db = a.v > 0 ? v * Math.log(a.v) : 0
            for (let i = 0; i < m; i++) {
              const ag = a.g[i] as number
              const bg = b.g[i] as number
              g[i] = (ag !== 0 ? da * ag : 0) + (bg !== 0 ? db * bg : 0)
            }
            break
          }
        }
        return { v, g }
      }
      case 'call': {
        const args = x.args.map(rec)
        const a = args[0] as Dual
        const b = args[1]
        let v: number
        let d: number
        switch (x.fn) {
          case 'sqrt':
            v = Math.sqrt(a.v)
            d = 0.5 / v
            break
          case 'exp':
            v = Math.exp(a.v)
            d = v
            break
          case 'log':
            v = Math.log(a.v)
            d = 1 / a.v
            break
          case 'log10':
            v = Math.log10(a.v)
            d = 1 / (a.v * Math.LN10)
            break
          case 'abs':
            v = Math.abs(a.v)
            d = a.v < 0 ? -1 : 1
            break
          case 'min':
          case 'max': {
            const bb = b as Dual
            const pickA = x.fn === 'min' ? a.v <= bb.v : a.v >= bb.v
            return pickA ? a : bb
          }
        }
        return { v, g: a.g.map((z) => z * d) }
      }
    }
  }
  return rec(n)
}
