export * from './lu.ts'
export * from './newton.ts'
export * from './matching.ts'
