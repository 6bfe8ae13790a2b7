/**
 * The domain routes of the API (flowsheets, simulation objects, properties, solve, import and
 * export, solver pass-throughs). The shell (apps/api/src/app.ts) registers them in their own
 * scope after authentication; `request.user` is set before these handlers run.
 *
 * Validation: bodies are checked strictly (unknown fields and wrong types -> 400 API_VALIDATION
 * naming the field); path and query strings are coerced from text.
 */
import type { FastifyInstance } from 'fastify'
import { Ajv } from 'ajv'
import type { Solver } from '@rere/contract'
import type { Database } from '../db/index.ts'
import { CatalogueService } from '../catalogue/catalogue.service.ts'
import { catalogueRoutes } from '../catalogue/catalogue.routes.ts'
import { FlowsheetService } from '../flowsheets/flowsheet.service.ts'
import { flowsheetRoutes } from '../flowsheets/flowsheet.routes.ts'
import { ImportExportService } from '../import-export/import-export.service.ts'
import { PropertyService } from '../properties/property.service.ts'
import { propertyRoutes } from '../properties/property.routes.ts'
import { SolveService } from '../solve/solve.service.ts'
import { solveRoutes } from '../solve/solve.routes.ts'
import { UnitOpService } from '../unitops/unitop.service.ts'
import { unitopRoutes } from '../unitops/unitop.routes.ts'

export interface DomainDeps {
  database: Database
  solver: Solver
  config: { solveRunsKept?: number } & Record<string, unknown>
}

/** Default number of solve runs kept per flowsheet. */
export const DEFAULT_SOLVE_RUNS_KEPT = 20

const strict = new Ajv({
  removeAdditional: false,
  coerceTypes: false,
  useDefaults: true,
  strict: false,
  allErrors: false,
})
const coercing = new Ajv({
  removeAdditional: false,
  coerceTypes: true,
  useDefaults: true,
  strict: false,
  allErrors: false,
})

export async function domainRoutes(app: FastifyInstance, deps: DomainDeps): Promise<void> {
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(schema) : coercing.compile(schema),
  )
  const db = deps.database.db
  const keepSetting = Number(deps.config.solveRunsKept ?? DEFAULT_SOLVE_RUNS_KEPT)
  const keep =
    Number.isInteger(keepSetting) && keepSetting > 0 ? keepSetting : DEFAULT_SOLVE_RUNS_KEPT
  const catalogue = new CatalogueService(deps.solver)
  const flowsheets = new FlowsheetService(db, keep)
  const io = new ImportExportService(db, flowsheets, catalogue)
  const solve = new SolveService(db, deps.solver, keep, {
    onPruneError: (e) => app.log.error({ err: e }, 'pruning old solve runs failed'),
    embedded: deps.database.kind === 'pglite',
  })
  // runs still queued are stored (and old ones pruned) before the database closes
  app.addHook('onClose', () => solve.close())
  await flowsheetRoutes(app, { flowsheets, io, solve })
  await unitopRoutes(app, new UnitOpService(db, catalogue), db, deps.database.localWrites)
  await propertyRoutes(app, new PropertyService(db), db)
  await solveRoutes(app, solve)
  await catalogueRoutes(app, catalogue, deps.solver)
}
