export const SOLVER_SERVICE_VERSION = '0.1.0'
