/**
 * Sums of the IF97 form  sum_i n_i x^I_i y^J_i  with first and second derivatives in x and y,
 * evaluated in one pass with integer-power tables built by multiplication (non-integer
 * exponents fall back to Math.pow).
 */

/** Output layout of PolySum.eval: [g, g_x, g_xx, g_y, g_yy, g_xy]. */
export class PolySum {
  private readonly n: Float64Array
  private readonly I: Float64Array
  private readonly J: Float64Array
  private readonly intI: boolean
  private readonly intJ: boolean
  private readonly iMin: number
  private readonly iMax: number
  private readonly jMin: number
  private readonly jMax: number
  private readonly xp: Float64Array
  private readonly yp: Float64Array
  private readonly ii: Int32Array
  private readonly jj: Int32Array

  constructor(n: ArrayLike<number>, I: ArrayLike<number>, J: ArrayLike<number>) {
    if (n.length !== I.length || n.length !== J.length)
      throw new Error('PolySum: n, I, J must have the same length')
    this.n = Float64Array.from(n)
    this.I = Float64Array.from(I)
    this.J = Float64Array.from(J)
    this.intI = this.I.every((v) => Number.isInteger(v))
    this.intJ = this.J.every((v) => Number.isInteger(v))
    this.iMin = Math.min(0, ...this.I) - 2
    this.iMax = Math.max(0, ...this.I)
    this.jMin = Math.min(0, ...this.J) - 2
    this.jMax = Math.max(0, ...this.J)
    this.xp = new Float64Array(this.iMax - this.iMin + 1)
    this.yp = new Float64Array(this.jMax - this.jMin + 1)
    this.ii = Int32Array.from(this.I, (v) => v - this.iMin)
    this.jj = Int32Array.from(this.J, (v) => v - this.jMin)
  }

  private static fill(t: Float64Array, x: number, min: number, max: number): void {
    const z = -min // index of x^0
    t[z] = 1
    for (let k = 1; k <= max; k++) t[z + k] = t[z + k - 1] * x
    const inv = 1 / x
    for (let k = 1; k <= -min; k++) t[z - k] = t[z - k + 1] * inv
  }

  /** Value only. */
  value(x: number, y: number): number {
    let s = 0
    if (this.intI && this.intJ) {
      PolySum.fill(this.xp, x, this.iMin, this.iMax)
      PolySum.fill(this.yp, y, this.jMin, this.jMax)
      for (let i = 0; i < this.n.length; i++)
        s += this.n[i] * this.xp[this.ii[i]] * this.yp[this.jj[i]]
      return s
    }
    for (let i = 0; i < this.n.length; i++)
      s += this.n[i] * Math.pow(x, this.I[i]) * Math.pow(y, this.J[i])
    return s
  }

  /** Value and derivatives into out: [g, g_x, g_xx, g_y, g_yy, g_xy]. */
  eval(x: number, y: number, out: Float64Array): void {
    PolySum.fill(this.xp, x, this.iMin, this.iMax)
    PolySum.fill(this.yp, y, this.jMin, this.jMax)
    const xp = this.xp
    const yp = this.yp
    let g = 0
    let gx = 0
    let gxx = 0
    let gy = 0
    let gyy = 0
    let gxy = 0
    for (let i = 0; i < this.n.length; i++) {
      const a = this.ii[i]
      const b = this.jj[i]
      const I = this.I[i]
      const J = this.J[i]
      const n = this.n[i]
      const y0 = n * yp[b]
      const y1 = n * yp[b - 1]
      g += xp[a] * y0
      gx += I * xp[a - 1] * y0
      gxx += I * (I - 1) * xp[a - 2] * y0
      gy += J * xp[a] * y1
      gyy += J * (J - 1) * xp[a] * n * yp[b - 2]
      gxy += I * J * xp[a - 1] * y1
    }
    out[0] = g
    out[1] = gx
    out[2] = gxx
    out[3] = gy
    out[4] = gyy
    out[5] = gxy
  }
}
