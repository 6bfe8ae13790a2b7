import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { PoolStats } from './pool.ts'

/** The service's Prometheus metrics, in a registry of its own (several services per process in tests). */
export function createSolverMetrics(stats: () => PoolStats) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'rere_solver_' })
  const solves = new Counter({
    name: 'rere_solver_requests_total',
    help: 'Solver requests by operation and outcome (success, error = 422, invalid = 400, failed = 5xx)',
    labelNames: ['op', 'status'] as const,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'rere_solver_request_duration_seconds',
    help: 'Time from request to reply of solver operations, by operation and outcome',
    labelNames: ['op', 'status'] as const,
    buckets: [
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
      10,
    ],
    registers: [registry],
  })
  new Gauge({
    name: 'rere_solver_in_flight',
    help: 'Solver tasks running or queued',
    registers: [registry],
    collect() {
      this.set(stats().inFlight)
    },
  })
  new Gauge({
    name: 'rere_solver_queue_length',
    help: 'Solver tasks waiting for a free worker',
    registers: [registry],
    collect() {
      this.set(stats().queued)
    },
  })
  new Gauge({
    name: 'rere_solver_workers',
    help: 'Worker threads in the solver pool',
    registers: [registry],
    collect() {
      this.set(stats().workers)
    },
  })
  return {
    registry,
    observe(op: string, status: string, seconds: number) {
      solves.inc({ op, status })
      duration.observe({ op, status }, seconds)
    },
  }
}
