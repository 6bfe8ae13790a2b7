export * from './model.ts'
export { parseFlowsheet, parseStateBlock } from './parse.ts'
