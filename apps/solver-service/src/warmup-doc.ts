/**
 * The Rere pump sheet as a solver document (Ahuora FlowsheetSchema): water at 80 degC,
 * 100 kPa, 1000 mol/s; efficiency 0.5; outlet 200 kPa. Used for the warm-up solve that gates
 * readiness, and by the benchmarks.
 */
export function warmUpDocument(): Record<string, unknown> {
  return {
    id: 0,
    name: 'rere-pump',
    dynamic: false,
    property_packages: [],
    unit_models: [
      {
        id: 1,
        type: 'pump',
        name: 'Pump-1',
        args: { property_package: -1 },
        properties: { efficiency_pump: { data: [{ id: 1, value: 0.5 }], unit: 'dimensionless' } },
        ports: {
          inlet: {
            id: 1,
            properties: {
              temperature: { data: [{ id: 2, value: 80 }], unit: 'degC' },
              pressure: { data: [{ id: 3, value: 100 }], unit: 'kPa' },
              flow_mol: { data: [{ id: 4, value: 1000 }], unit: 'mol/s' },
            },
          },
          outlet: {
            id: 2,
            properties: { pressure: { data: [{ id: 5, value: 200 }], unit: 'kPa' } },
          },
        },
      },
    ],
    arcs: [],
  }
}
