#!/usr/bin/env node
// Launcher: registers the tsx loader (TypeScript sources run as-is) and starts the CLI.
import { register } from 'tsx/esm/api'
register()
await import('../src/main.ts')
