/** Benchmark sheets: the Rere pump, one 10-unit section with a recycle, and five sections (50 units, 5 recycles). */
let id = 1
const pv = (value: number | null, unit: string | null = null) => ({
  data: [{ id: id++, value }],
  unit,
})

export function pumpSheet() {
  return {
    id: 1,
    name: 'pump',
    dynamic: false,
    property_packages: [],
    unit_models: [
      {
        id: 1,
        type: 'pump',
        name: 'P-1',
        args: { property_package: -1 },
        properties: { efficiency_pump: pv(0.5) },
        ports: {
          inlet: {
            id: 1,
            properties: {
              temperature: pv(80, 'degC'),
              pressure: pv(100, 'kPa'),
              flow_mol: pv(1000, 'mol/s'),
            },
          },
          outlet: { id: 2, properties: { pressure: pv(200, 'kPa') } },
        },
      },
    ],
    arcs: [],
  }
}

/**
 * `sections` sections of 10 units in series. Each: mixer (feed + recycle) -> heater -> splitter
 * (30 % back through a recycle pump, deltaP +50 kPa) -> pump (x1.5) -> heater -> valve (x0.5)
 * -> cooler -> heater -> valve (x0.9) -> next section.
 */
export function sectionSheet(sections: number) {
  id = 1
  const units: unknown[] = []
  const arcs: { id: number; source: number; destination: number }[] = []
  let port = 1
  let uid = 1
  let prevOut: number | null = null
  const u = (
    type: string,
    name: string,
    ports: Record<string, { id: number; properties?: unknown }>,
    properties: unknown = {},
    args: Record<string, unknown> = {},
  ) => {
    units.push({
      id: uid++,
      type,
      name,
      args: { property_package: -1, ...args },
      properties,
      ports: Object.fromEntries(
        Object.entries(ports).map(([k, p]) => [k, { id: p.id, properties: p.properties ?? {} }]),
      ),
    })
  }
  const arc = (s: number, d: number) =>
    arcs.push({ id: 10000 + arcs.length, source: s, destination: d })
  for (let k = 0; k < sections; k++) {
    const p = () => port++
    const mIn1 = p(),
      mIn2 = p(),
      mOut = p()
    u(
      'mixer',
      `M${k}`,
      {
        inlet_1: {
          id: mIn1,
          properties:
            prevOut === null
              ? { temperature: pv(300, 'K'), pressure: pv(500, 'kPa'), flow_mol: pv(100, 'mol/s') }
              : {},
        },
        inlet_2: { id: mIn2 },
        outlet: { id: mOut },
      },
      {},
      { num_inlets: 2 },
    )
    if (prevOut !== null) arc(prevOut, mIn1)
    const h1i = p(),
      h1o = p()
    u('heater', `H1_${k}`, { inlet: { id: h1i }, outlet: { id: h1o } }, { heat_duty: pv(50, 'kW') })
    arc(mOut, h1i)
    const si = p(),
      s1 = p(),
      s2 = p()
    u(
      'splitter',
      `S${k}`,
      { inlet: { id: si }, outlet_1: { id: s1 }, outlet_2: { id: s2 } },
      {
        split_fraction: {
          data: [{ id: id++, value: 0.7, discrete_indexes: ['outlet_1'] }],
          unit: null,
        },
      },
      { num_outlets: 2 },
    )
    arc(h1o, si)
    const rpi = p(),
      rpo = p()
    u(
      'pump',
      `PR${k}`,
      { inlet: { id: rpi }, outlet: { id: rpo } },
      { efficiency_pump: pv(0.7), deltaP: pv(50, 'kPa') },
    )
    arc(s2, rpi)
    arc(rpo, mIn2)
    const chain: [string, unknown][] = [
      ['pump', { efficiency_pump: pv(0.7), ratioP: pv(1.5) }],
      ['heater', { heat_duty: pv(30, 'kW') }],
      ['valve', { ratioP: pv(0.5) }],
      ['cooler', { heat_duty: pv(-60, 'kW') }],
      ['heater', { heat_duty: pv(10, 'kW') }],
      ['valve', { ratioP: pv(0.9) }],
    ]
    let last = s1
    chain.forEach(([type, props], j) => {
      const i = p(),
        o = p()
      u(type, `${type}${k}_${j}`, { inlet: { id: i }, outlet: { id: o } }, props)
      arc(last, i)
      last = o
    })
    prevOut = last
  }
  return {
    id: 1,
    name: `sections-${sections}`,
    dynamic: false,
    property_packages: [],
    unit_models: units,
    arcs,
  }
}

/**
 * The sections plus an outer recycle around all of them: the product is split (20 % back), pumped
 * (+600 kPa) and mixed with the feed before the first section. Every unit is in one big block.
 */
export function outerRecycleSheet(sections: number) {
  const d = sectionSheet(sections) as unknown as {
    unit_models: { id: number; ports: Record<string, { id: number; properties: unknown }> }[]
    arcs: { id: number; source: number; destination: number }[]
  }
  const first = d.unit_models[0].ports.inlet_1
  const feed = first.properties
  first.properties = {}
  const last = d.unit_models[d.unit_models.length - 1].ports.outlet.id
  const p0 = 90000
  const u = (
    id: number,
    type: string,
    name: string,
    properties: unknown,
    args: object,
    ports: Record<string, { id: number; properties?: unknown }>,
  ) => ({
    id,
    type,
    name,
    args: { property_package: -1, ...args },
    properties,
    ports: Object.fromEntries(
      Object.entries(ports).map(([k, p]) => [k, { id: p.id, properties: p.properties ?? {} }]),
    ),
  })
  const frac = { data: [{ id: 99001, value: 0.8, discrete_indexes: ['outlet_1'] }], unit: null }
  d.unit_models.push(
    u(
      900,
      'splitter',
      'SX',
      { split_fraction: frac },
      { num_outlets: 2 },
      {
        inlet: { id: p0 + 1 },
        outlet_1: { id: p0 + 2 },
        outlet_2: { id: p0 + 3 },
      },
    ),
    u(
      901,
      'pump',
      'PX',
      {
        efficiency_pump: { data: [{ id: 99002, value: 0.7 }], unit: null },
        deltaP: { data: [{ id: 99003, value: 600 }], unit: 'kPa' },
      },
      {},
      { inlet: { id: p0 + 4 }, outlet: { id: p0 + 5 } },
    ),
    u(
      902,
      'mixer',
      'MX',
      {},
      { num_inlets: 2 },
      {
        inlet_1: { id: p0 + 6, properties: feed },
        inlet_2: { id: p0 + 7 },
        outlet: { id: p0 + 8 },
      },
    ),
  )
  d.arcs.push(
    { id: 99100, source: last, destination: p0 + 1 },
    { id: 99101, source: p0 + 3, destination: p0 + 4 },
    { id: 99102, source: p0 + 5, destination: p0 + 7 },
    { id: 99103, source: p0 + 8, destination: first.id },
  )
  return d
}
