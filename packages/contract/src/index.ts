export * from './errors.ts'
export * from './solver-port.ts'
