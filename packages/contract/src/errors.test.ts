import { describe, expect, it } from 'vitest'
import { AppError, isAppError } from './errors.ts'

describe('AppError', () => {
  it('carries code, status and details into the HTTP body', () => {
    const e = new AppError('THERMO_OUT_OF_RANGE', 'T=5000 K is above 1273 K', {
      details: { field: 'T' },
    })
    expect(isAppError(e)).toBe(true)
    expect(e.toBody()).toEqual({
      statusCode: 400,
      code: 'THERMO_OUT_OF_RANGE',
      message: 'T=5000 K is above 1273 K',
      details: { field: 'T' },
    })
  })

  it('masks 5xx messages and details', () => {
    const e = new AppError('DB_DOWN', 'connection refused at 10.0.0.3', {
      statusCode: 503,
      details: { host: '10.0.0.3' },
    })
    expect(e.toBody()).toEqual({
      statusCode: 503,
      code: 'DB_DOWN',
      message: 'Internal error',
      details: {},
    })
  })
})
