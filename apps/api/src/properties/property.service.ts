/**
 * PATCH of one property value: stored in the unit the user chose, with its SI equivalent.
 */
import type { Kysely } from 'kysely'
import { AppError } from '@rere/contract'
import type { DB } from '../db/schema.ts'
import { bumpVersion } from '../flowsheets/access.ts'
import { propertyJson } from '../unitops/unitop.repository.ts'
import { siLine, unitSIOf, valueFromSI, valueToSI } from './units.ts'

export interface PatchPropertyInput {
  value?: number | null
  unit?: string
  fixed?: boolean
  guess?: boolean
  constraint?: string | null
  controlled?: number | null
}

export class PropertyService {
  constructor(private readonly db: Kysely<DB>) {}

  async patch(
    userId: number,
    id: number,
    input: PatchPropertyInput,
    ifMatch?: number,
  ): Promise<{ version: number; body: string }> {
    return this.db.transaction().execute(async (trx) => {
      const { flowsheetId, version } = await bumpVersion(
        trx,
        { propertyId: id },
        userId,
        ifMatch,
        'Property',
      )
      const p = await trx
        .selectFrom('property_infos')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      const unit = input.unit ?? p.unit
      const unitSI = input.unit === undefined ? p.unit_si : unitSIOf(unit, p.quantity)
      const line = input.unit === undefined ? undefined : siLine(unit, p.quantity)
      const fixed = input.fixed ?? p.fixed
      const guess = input.guess ?? p.guess
      let value = p.value
      if (input.value !== undefined) {
        if (input.value !== null && !fixed && !guess) {
          throw new AppError(
            'API_PROPERTY_COMPUTED',
            `Property ${id} (${p.key}) is computed; send "fixed": true to specify its value`,
            { details: { field: 'value', id, key: p.key } },
          )
        }
        value = input.value
      } else if (input.unit !== undefined && p.value !== null && p.value_si !== null) {
        // same physical value in the new unit
        value = valueFromSI(p.value_si, unit, p.quantity)
      }
      if (input.fixed === false && !guess && input.value === undefined) value = null
      const valueSI = value === null ? null : valueToSI(value, unit, p.quantity)
      if (valueSI !== null && !Number.isFinite(valueSI)) {
        throw new AppError('API_VALIDATION', 'value is out of range', {
          details: { field: 'value' },
        })
      }
      let controlled = p.controlled_id
      if (input.controlled !== undefined) {
        if (input.controlled !== null) {
          const target = await trx
            .selectFrom('property_infos')
            .select('id')
            .where('id', '=', input.controlled)
            .where('flowsheet_id', '=', flowsheetId)
            .executeTakeFirst()
          if (!target || input.controlled === id)
            throw new AppError(
              'API_VALIDATION',
              `controlled must be another property of this flowsheet`,
              {
                details: { field: 'controlled' },
              },
            )
        }
        controlled = input.controlled
      }
      await trx
        .updateTable('property_infos')
        .set({
          unit,
          unit_si: unitSI,
          ...(line ? { si_factor: line.factor, si_offset: line.offset } : {}),
          value,
          value_si: valueSI,
          fixed,
          guess,
          controlled_id: controlled,
          ...(input.constraint === undefined ? {} : { constraint_expr: input.constraint }),
        })
        .where('id', '=', id)
        .execute()
      const body = await propertyJson(trx, userId, id)
      return { version, body: body! }
    })
  }
}
