export * from './units.ts'
export * from './kinds.ts'
