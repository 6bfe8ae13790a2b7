export * from './expressions.ts'
export * from './compile.ts'
