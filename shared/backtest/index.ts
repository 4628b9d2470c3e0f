/** The backtest's public API: replay a trace through the real brain against a simulated cluster. */

export type { BacktestSection, SimSettings } from '../config/backtest.ts';
export { resolveSimSettings } from '../config/sim-settings.ts';
export { builtinConfig, builtinConfigYaml } from './builtin-config.ts';
export { loadCalendar, parseCalendar } from './calendar.ts';
export { DemandTimeline, parseSurge, type Surge, TraceMetricSource } from './demand.ts';
export { POLICIES, type PolicyName } from './policies.ts';
export { renderReport } from './report/html.ts';
export { type BacktestInput, type BacktestJson, type BacktestResult, runBacktest } from './run.ts';
export { cutTrace, loadTrace, parseTrace, type Trace } from './trace.ts';
