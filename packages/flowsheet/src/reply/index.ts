export * from './names.ts'
export * from './completion.ts'
export * from './state.ts'
